import { readFileSync } from "node:fs";
import { setImmediate as tick } from "node:timers/promises";
import { Policy } from "permiso";
const root = "/work/main/";
const world = JSON.parse(readFileSync(root+"bench/peers/example.json","utf8"));
const policy = Policy.fromYAML(readFileSync(root+"examples/policy.yaml","utf8"));
const ids = Object.fromEntries(world.principals.map((r) => [r.principal.id, policy.identity(r)]));
const inputs = world.inputs;
async function time(fn){ let t=0n, n=0; for(let r=0;r<600;r++){ const s=process.hrtime.bigint(); for(let i=0;i<500;i++)fn(i); t+=process.hrtime.bigint()-s; n+=500; await tick(); } return Number(t)/n;}
const L=inputs.length;
for (let k=0;k<2;k++){
console.log("isAllowed", await time(i=>{const x=inputs[i%L]; policy.isAllowed(ids[x.principal],x.permission,x.resource)}));
console.log("authorize", await time(i=>{const x=inputs[i%L]; policy.authorize(ids[x.principal],x.permission,x.resource)}));
console.log("authorize.allowed", await time(i=>{const x=inputs[i%L]; policy.authorize(ids[x.principal],x.permission,x.resource).allowed}));
console.log("authorize.audit", await time(i=>{const x=inputs[i%L]; policy.authorize(ids[x.principal],x.permission,x.resource).audit}));
}
