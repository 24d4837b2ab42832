import{bH as i}from"./index-BZvMxCRF.js";const n=o=>["",...i].includes(o);export{n as i};
