import{bH as i}from"./index-BoXIZZ9Y.js";const n=o=>["",...i].includes(o);export{n as i};
