//! Containers for secrets: redacted from `Debug`, zeroized on drop.

use zeroize::Zeroizing;

/// A plaintext API key, shown once at generation. `Debug` prints
/// `[redacted]`; the buffer is zeroized when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Zeroizing<String>);

impl SecretKey {
    pub(crate) fn new(text: String) -> Self {
        SecretKey(Zeroizing::new(text))
    }

    /// The plaintext. Show it to the user once; never store or log it.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// A server-side pepper for `hmac-sha256:` key hashes. `Debug` prints
/// `[redacted]`; the bytes are zeroized when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Pepper(Zeroizing<Vec<u8>>);

impl Pepper {
    /// A pepper from raw bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Pepper(Zeroizing::new(bytes.into()))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<&str> for Pepper {
    fn from(s: &str) -> Self {
        Pepper::new(s.as_bytes())
    }
}

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper([redacted])")
    }
}
