import{bH as i}from"./index-C8SjaCIb.js";const n=o=>["",...i].includes(o);export{n as i};
