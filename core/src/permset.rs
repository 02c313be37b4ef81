//! Fixed-size bit sets over the policy's interned permissions.

use smallvec::SmallVec;

/// The index of a declared permission in the compiled policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PermId(pub(crate) u32);

/// A set of permissions as a bit set. Every set built from one policy has the
/// same number of words, so set operations are a few word operations.
#[derive(Clone, PartialEq, Eq, Default)]
pub(crate) struct PermSet {
    words: SmallVec<[u64; 2]>,
}

impl std::fmt::Debug for PermSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter().map(|p| p.0)).finish()
    }
}

impl PermSet {
    pub(crate) fn empty(len: usize) -> Self {
        PermSet {
            words: smallvec::smallvec![0; len.div_ceil(64)],
        }
    }

    pub(crate) fn full(len: usize) -> Self {
        let mut set = PermSet::empty(len);
        for i in 0..len {
            set.insert(PermId(i as u32));
        }
        set
    }

    pub(crate) fn insert(&mut self, id: PermId) {
        if let Some(w) = self.words.get_mut((id.0 / 64) as usize) {
            *w |= 1u64 << (id.0 % 64);
        }
    }

    #[inline]
    pub(crate) fn contains(&self, id: PermId) -> bool {
        self.words
            .get((id.0 / 64) as usize)
            .is_some_and(|w| w & (1u64 << (id.0 % 64)) != 0)
    }

    pub(crate) fn union_with(&mut self, other: &PermSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a |= *b;
        }
    }

    pub(crate) fn intersect_with(&mut self, other: &PermSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a &= *b;
        }
    }

    pub(crate) fn remove_all(&mut self, other: &PermSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a &= !*b;
        }
    }

    pub(crate) fn intersects(&self, other: &PermSet) -> bool {
        self.words.iter().zip(other.words.iter()).any(|(a, b)| a & b != 0)
    }

    pub(crate) fn is_subset_of(&self, other: &PermSet) -> bool {
        self.words
            .iter()
            .zip(other.words.iter().chain(std::iter::repeat(&0)))
            .all(|(a, b)| a & !b == 0)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = PermId> + '_ {
        self.words.iter().enumerate().flat_map(|(i, w)| {
            (0..64u32)
                .filter(move |b| w & (1u64 << b) != 0)
                .map(move |b| PermId(i as u32 * 64 + b))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut a = PermSet::empty(130);
        a.insert(PermId(0));
        a.insert(PermId(129));
        assert!(a.contains(PermId(129)));
        assert!(!a.contains(PermId(64)));
        assert!(!a.contains(PermId(10_000)));
        let mut b = PermSet::empty(130);
        b.insert(PermId(64));
        assert!(!b.is_subset_of(&a));
        b.union_with(&a);
        assert!(a.is_subset_of(&b));
        assert_eq!(b.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 64, 129]);
        let mut c = b.clone();
        c.intersect_with(&a);
        assert_eq!(c, a);
        b.remove_all(&a);
        assert_eq!(b.iter().map(|p| p.0).collect::<Vec<_>>(), vec![64]);
        assert_eq!(PermSet::full(65).iter().count(), 65);
    }
}
