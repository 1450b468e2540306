// The pages' only stylesheet, served from /assets/proposal.css so the CSP needs no inline
// styles. Mobile-first; colours meet WCAG AA contrast on white.
export const PROPOSAL_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:16px;line-height:1.5;color:#1b1f24;background:#f3f5f8}
body{margin:0}
main{max-width:52rem;margin:0 auto;padding:.75rem}
.card{background:#fff;border:1px solid #d8dde4;border-radius:10px;padding:1rem;margin:.75rem 0}
.head{display:flex;gap:1rem;align-items:flex-start}
.logo{flex:none;width:3rem;height:3rem;border-radius:10px;background:#0b5cad;color:#fff;display:grid;place-items:center;font-weight:700;font-size:1.4rem}
h1{font-size:1.35rem;margin:.1rem 0 .25rem}h2{font-size:1.1rem;margin:0 0 .75rem}
.tenant{margin:0;color:#4a5360;font-weight:600}.meta{margin:.15rem 0;color:#3a424d}
.status{display:inline-block;padding:.15rem .6rem;border-radius:999px;font-weight:600;background:#e7eef7;color:#0b4a8b}
.status-accepted{background:#e3f4e8;color:#14632f}.status-rejected,.status-expired{background:#fbe9e9;color:#8f1d1d}
.notice{background:#fff8e1;border:1px solid #e9c46a;border-radius:8px;padding:.75rem 1rem}
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{padding:.5rem .4rem;border-bottom:1px solid #e4e8ee;text-align:left;vertical-align:top}
thead th{font-size:.8rem;text-transform:uppercase;letter-spacing:.02em;color:#4a5360}
.num{text-align:right;white-space:nowrap}
.desc{display:block;font-weight:400;color:#4a5360;font-size:.9rem}
.totals{margin:1rem 0 0;display:grid;gap:.25rem;justify-content:end}
.totals div{display:flex;gap:2rem;justify-content:space-between}
.totals dt{color:#3a424d}.totals dd{margin:0;font-variant-numeric:tabular-nums}
.totals .grand{font-size:1.25rem;font-weight:700;border-top:2px solid #1b1f24;padding-top:.25rem}
.pre{white-space:pre-wrap}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=email],textarea{width:100%;font:inherit;padding:.6rem;border:1px solid #8a94a3;border-radius:6px}
input:focus-visible,textarea:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.check{display:flex;gap:.5rem;align-items:flex-start;margin-top:1rem}.check label{font-weight:400;margin:0}
.check input{width:1.25rem;height:1.25rem;margin-top:.15rem}
button{font:inherit;font-weight:600;border-radius:8px;padding:.75rem 1.25rem;margin-top:1rem;cursor:pointer;width:100%}
.primary{background:#0b5cad;color:#fff;border:0}.secondary{background:#fff;color:#8f1d1d;border:2px solid #8f1d1d}
.field-error{color:#8f1d1d;margin:.25rem 0 0}
.outcome.accepted{border-color:#2e8b57}.outcome.rejected{border-color:#b33}
a{color:#0b4a8b}
footer{max-width:52rem;margin:0 auto;padding:0 .75rem 2rem;color:#4a5360;font-size:.85rem}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
@media (min-width:40rem){main{padding:1.5rem}button{width:auto}.card{padding:1.5rem}}
@media (max-width:39.99rem){
  thead{display:none}
  tbody tr{display:block;border-bottom:1px solid #e4e8ee;padding:.5rem 0}
  tbody th,tbody td{display:flex;justify-content:space-between;border:0;padding:.15rem 0}
  tbody td::before{content:attr(data-label);color:#4a5360;font-size:.9rem}
  tbody th{display:block}
}
@media print{
  html{background:#fff}.card{border:0;padding:0 0 .5rem}
  form,.actions-inline,footer{display:none}
  a{color:inherit;text-decoration:none}
}
`;
