package compile

import (
	"fmt"
	"strings"

	"github.com/expr-lang/expr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// lintHTTP checks an http template as far as it is known before run time.
func (l *linter) lintHTTP(tpath string, t *wfv1.Template) {
	h := t.HTTP
	path := tpath + ".http"
	if strings.TrimSpace(h.URL) == "" {
		l.errorf(path+".url", "an http template needs a url")
	}
	for i, hd := range h.Headers {
		hp := fmt.Sprintf("%s.headers[%d]", path, i)
		switch {
		case hd.Name == "":
			l.errorf(hp+".name", "an http header needs a name")
		case hd.ValueFrom != nil && hd.ValueFrom.SecretKeyRef == nil:
			l.errorf(hp+".valueFrom", "valueFrom needs a secretKeyRef")
		case hd.ValueFrom != nil && (hd.ValueFrom.SecretKeyRef.Name == "" || hd.ValueFrom.SecretKeyRef.Key == ""):
			l.errorf(hp+".valueFrom.secretKeyRef", "secretKeyRef needs a name and a key")
		}
	}
	if c := h.SuccessCondition; c != "" && !strings.Contains(c, "{{") {
		if _, err := expr.Compile(c); err != nil {
			// expr-lang's message goes on to draw the expression.
			msg, _, _ := strings.Cut(err.Error(), "\n")
			l.errorf(path+".successCondition", "successCondition: %s", msg)
		}
	}
	for j, p := range t.Outputs.Parameters {
		if p.ValueFrom != nil && p.ValueFrom.Path != "" {
			l.errorf(fmt.Sprintf("%s.outputs.parameters[%d].valueFrom.path", tpath, j), "an http template has no files: its output is outputs.result, the response body")
		}
	}
}
