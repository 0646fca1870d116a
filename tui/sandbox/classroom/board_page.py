"""HTML and script of the trainer's board: large type for a projector at 1280×720, and a text
mark beside every colour (STUCK, DONE, step n/9). All learner text is escaped; the script
builds rows with ``textContent`` only."""

from __future__ import annotations

import time
from html import escape
from typing import Any

from starlette.responses import HTMLResponse

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; "
    "style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;padding:10px 18px;background:#fff;color:#111;font-size:22px}
h1{font-size:26px;margin:0 0 4px;color:#003366}
#summary{font-size:28px;font-weight:700;margin:2px 0 6px}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{text-align:left;padding:5px 8px;border-bottom:2px solid #ddd;vertical-align:top;overflow:hidden}
th{font-size:16px;text-transform:uppercase;color:#444}
col.c-name{width:17%}col.c-step{width:17%}col.c-time{width:11%}col.c-err{width:31%}
col.c-state{width:12%}col.c-act{width:12%}
td.name{font-weight:700;overflow-wrap:anywhere}
.state{font-weight:800}
tr.stuck{background:#fde2e1}tr.stuck .state{color:#8a1c13}
tr.done{background:#ddf3e4}tr.done .state{color:#0c5a2a}
tr.working .state{color:#1f3f73}
td.err{font-size:18px;color:#5a1a12}.clamp{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.why{display:block;font-size:15px;font-weight:600}
.notice{background:#fff3cd;padding:6px 10px;font-size:20px;margin:4px 0}
.actions form{display:inline-block;margin:0 4px 2px 0}.actions button{font-size:14px;padding:2px 6px}
.bar{margin:2px 0 6px;font-size:16px;color:#333}
"""

SCRIPT = r"""
"use strict";
function fmt(s){if(s<60)return s+" s";var m=Math.floor(s/60);if(m<60)return m+" min "+(s%60)+" s";
return Math.floor(m/60)+" h "+(m%60)+" min";}
function cell(tr,text,cls){var td=document.createElement("td");td.textContent=text;if(cls)td.className=cls;tr.appendChild(td);return td;}
function act(td,path,label,name,method){var f=document.createElement("form");f.method=method;f.action=path;
var i=document.createElement("input");i.type="hidden";i.name="name";i.value=name;f.appendChild(i);
var b=document.createElement("button");b.type="submit";b.textContent=label;f.appendChild(b);td.appendChild(f);}
function draw(data){
  document.getElementById("summary").textContent=data.summary;
  var body=document.getElementById("rows");var fresh=document.createElement("tbody");fresh.id="rows";
  var n=data.steps.length;
  data.learners.forEach(function(l){
    var tr=document.createElement("tr");tr.className=l.stuck?"stuck":(l.finished?"done":"working");
    tr.dataset.name=l.name;
    cell(tr,l.name,"name");
    cell(tr,l.step?(l.step+" ("+l.step_number+"/"+n+")"):"not started","step");
    cell(tr,fmt(l.seconds_on_step),"time");
    var e=cell(tr,"","err");var c=document.createElement("span");c.className="clamp";
    c.textContent=l.last_error?(l.last_error.status+" "+l.last_error.message):"—";e.appendChild(c);
    var st=cell(tr,l.stuck?"⚠ STUCK":(l.finished?"✓ DONE":"… working"),"state");
    if(l.stuck){var w=document.createElement("span");w.className="why";w.textContent=l.stuck_reason;st.appendChild(w);}
    var a=cell(tr,"","actions");act(a,"/class/release","Release name",l.name,"post");act(a,"/class/cleanup","Clean up…",l.name,"get");
    fresh.appendChild(tr);
  });
  body.replaceWith(fresh);
  document.getElementById("updated").textContent=new Date().toLocaleTimeString();
}
function tick(){fetch("/class.json",{credentials:"same-origin",cache:"no-store"})
  .then(function(r){if(!r.ok)throw new Error(r.status);return r.json();}).then(draw)
  .catch(function(){document.getElementById("updated").textContent="(connection lost, retrying)";})
  .finally(function(){setTimeout(tick,1000);});}
setTimeout(tick,1000);
"""


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min {seconds % 60} s"
    return f"{minutes // 60} h {minutes % 60} min"


def _row(learner: dict[str, Any], steps: int) -> str:
    name = escape(learner["name"])
    kind = "stuck" if learner["stuck"] else ("done" if learner["finished"] else "working")
    step = (
        f"{escape(learner['step'])} ({learner['step_number']}/{steps})"
        if learner["step"]
        else "not started"
    )
    error = learner["last_error"]
    error_text = escape(f"{error['status']} {error['message']}") if error else "—"
    state = {"stuck": "⚠ STUCK", "done": "✓ DONE", "working": "… working"}[kind]
    why = f'<span class="why">{escape(learner["stuck_reason"])}</span>' if learner["stuck"] else ""
    return (
        f'<tr class="{kind}" data-name="{name}"><td class="name">{name}</td>'
        f'<td class="step">{step}</td><td class="time">{_duration(learner["seconds_on_step"])}</td>'
        f'<td class="err"><span class="clamp">{error_text}</span></td><td class="state">{state}{why}</td>'
        '<td class="actions">'
        f'<form method="post" action="/class/release"><input type="hidden" name="name" value="{name}">'
        '<button type="submit">Release name</button></form>'
        f'<form method="get" action="/class/cleanup"><input type="hidden" name="name" value="{name}">'
        '<button type="submit">Clean up…</button></form></td></tr>'
    )


def _html(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def board(snapshot: dict[str, Any], notice: str = "") -> HTMLResponse:
    steps = len(snapshot["steps"])
    rows = "".join(_row(learner, steps) for learner in snapshot["learners"])
    notice_html = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    body = (
        "<h1>Class board</h1>"
        f'<p id="summary" aria-live="polite">{escape(snapshot["summary"])}</p>'
        f"{notice_html}"
        '<p class="bar"><a href="/class/report.csv" download>Download class report (CSV)</a> '
        f'· steps: {escape(" → ".join(snapshot["steps"]))} · updated <span id="updated">'
        f"{time.strftime('%H:%M:%S')}</span></p>"
        '<table><colgroup><col class="c-name"><col class="c-step"><col class="c-time">'
        '<col class="c-err"><col class="c-state"><col class="c-act"></colgroup><thead><tr>'
        "<th>Name</th><th>Step</th><th>Time on step</th><th>Last error</th>"
        '<th>State</th><th>Trainer</th></tr></thead><tbody id="rows">'
        f"{rows}</tbody></table>"
        '<script src="/class/board.js"></script>'
    )
    return _html("Class board", body)


def confirm_cleanup(name: str, found: dict[str, list[str]]) -> HTMLResponse:
    gateways = ", ".join(found["gateways"]) or "none"
    consumers = ", ".join(found["consumers"]) or "none"
    body = (
        f"<h1>Clean up {escape(name.strip())}'s leftovers?</h1>"
        f"<p>Gateways to destroy (with their services, products and issuers): "
        f"<strong>{escape(gateways)}</strong></p>"
        f"<p>Consumers to revoke: <strong>{escape(consumers)}</strong></p>"
        '<form method="post" action="/class/cleanup">'
        f'<input type="hidden" name="name" value="{escape(name)}">'
        '<button type="submit" name="confirm" value="yes">Yes, remove them</button> '
        '<button type="submit" name="confirm" value="no">No, keep them</button></form>'
    )
    return _html("Confirm clean up", body)
