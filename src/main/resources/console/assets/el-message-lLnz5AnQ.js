import{by as i}from"./index-D547nALj.js";const n=o=>["",...i].includes(o);export{n as i};
