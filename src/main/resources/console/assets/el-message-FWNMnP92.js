import{by as i}from"./index-CSAbpneP.js";const n=o=>["",...i].includes(o);export{n as i};
