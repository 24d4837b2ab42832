import{bH as i}from"./index-BtRjJwiR.js";const n=o=>["",...i].includes(o);export{n as i};
