import{bH as i}from"./index-Boh6VTFE.js";const n=o=>["",...i].includes(o);export{n as i};
