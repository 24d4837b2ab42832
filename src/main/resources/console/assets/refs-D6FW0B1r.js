const r=(...e)=>o=>{e.forEach(c=>{c.value=o})};export{r as c};
