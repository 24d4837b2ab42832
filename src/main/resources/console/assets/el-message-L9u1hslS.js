import{by as i}from"./index-D9IopFft.js";const n=o=>["",...i].includes(o);export{n as i};
