import{bH as i}from"./index-CdX2V2SS.js";const n=o=>["",...i].includes(o);export{n as i};
