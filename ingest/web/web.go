// Package web holds what the survey and assessment pages share: language choice and the stylesheet.
package web

import (
	"net/http"
	"strings"
)

// Lang picks "ru" or "en": ?lang= first, then Accept-Language in order of preference, then English.
func Lang(r *http.Request) string {
	if l := r.FormValue("lang"); l == "ru" || l == "en" {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "ru"):
			return "ru"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}

// CSS is the pages' inline stylesheet: mobile first, system fonts, contrast above WCAG AA (the muted grey
// #4a4a4a on white is 8.9:1), and a visible focus ring for keyboard users. A rating scale is one row of
// equal-width buttons whatever the screen (an NPS 0..10 on a 390 px phone too): a wrapped row of unequal
// buttons makes some values look bigger, which biases answers. The survey's send button spans the content
// on a phone, away from the screen's edge.
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;background:#fff}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;line-height:1.25}
h2{font-size:1.15rem}
fieldset{border:0;margin:0 0 1.2rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem}
.scale{display:grid;grid-template-columns:repeat(var(--n,5),minmax(0,1fr));gap:.25rem}
.scale label{text-align:center;border:2px solid #333;border-radius:.4rem;padding:.55rem 0;cursor:pointer;min-height:2.75rem;font-variant-numeric:tabular-nums}
@media (max-width:26rem){.scale{gap:.15rem}.scale label{border-width:1px;font-size:.95rem}}
.scale input{position:absolute;opacity:0;width:1px;height:1px}
.scale input:checked+span{font-weight:700}
.scale label:has(input:checked){background:#0b4f9c;color:#fff;border-color:#0b4f9c}
.scale label:has(input:focus-visible){outline:3px solid #e07000;outline-offset:2px}
.ends{display:flex;justify-content:space-between;font-size:.9rem;color:#4a4a4a}
.options label{display:block;border:2px solid #333;border-radius:.4rem;padding:.6rem .8rem;margin:.45rem 0;cursor:pointer}
.options label:has(input:checked){border-color:#0b4f9c;background:#e8f0fb}
input[type=text],input[type=email],textarea{width:100%;font:inherit;padding:.55rem;border:2px solid #333;border-radius:.4rem}
:focus-visible{outline:3px solid #e07000;outline-offset:2px}
.buttons{display:flex;flex-direction:row-reverse;justify-content:space-between;gap:1rem;margin-top:1rem}
button{font:inherit;padding:.65rem 1.4rem;border-radius:.4rem;border:2px solid #0b4f9c;background:#0b4f9c;color:#fff;cursor:pointer;min-height:2.75rem}
button.secondary{background:#fff;color:#0b4f9c}
.error{color:#a30000;font-weight:600}
.muted{color:#4a4a4a;font-size:.9rem}
.lang{text-align:right;font-size:.9rem}
.store{margin:-.6rem 0 1rem;font-weight:600;color:#4a4a4a}
.send{flex-direction:column;align-items:stretch;margin:1.5rem 0 1rem}
.send button{width:100%}
@media (min-width:40rem){.send{align-items:flex-start}.send button{width:auto;min-width:14rem}}
a{color:#0b4f9c}
.stage{border-left:6px solid #0b4f9c;padding:.2rem 0 .2rem 1rem}
`
