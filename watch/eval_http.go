package watch

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// httpResponse is what an http node's pod reports of its request in its
// termination message (compile/http.go writes it).
type httpResponse struct {
	curlExit   int
	curlError  string
	statusCode int
	headers    http.Header
}

// parseHTTPReport reads the termination message of an http node's pod:
// curl's exit code, its error, the status code and the headers as JSON.
// Headers cut short to fit the message are left out, not misread.
func parseHTTPReport(msg string) (httpResponse, error) {
	var r httpResponse
	lines := strings.SplitN(msg, "\n", 4)
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "curl ") || !strings.HasPrefix(lines[1], "error ") {
		return r, fmt.Errorf("the http pod reported %q", msg)
	}
	var err error
	if r.curlExit, err = strconv.Atoi(strings.TrimPrefix(lines[0], "curl ")); err != nil {
		return r, fmt.Errorf("the http pod reported %q", msg)
	}
	r.curlError = strings.TrimSpace(strings.TrimPrefix(lines[1], "error "))
	r.statusCode, _ = strconv.Atoi(strings.TrimSpace(lines[2]))
	r.headers = http.Header{}
	if len(lines) == 4 {
		// curl names headers in lower case; Go's client, which Argo's
		// agent uses, in canonical form.
		var raw map[string][]string
		if json.Unmarshal([]byte(lines[3]), &raw) == nil {
			for k, v := range raw {
				r.headers[textproto.CanonicalMIMEHeaderKey(k)] = v
			}
		}
	}
	return r, nil
}

// httpVerdict decides an ended http node as Argo's agent does, from its
// instantiated template and its pod's result: the phase, the message,
// and the result (the response body), nil when there was no response.
func httpVerdict(h *wfv1.HTTP, r PodResult) (Phase, string, *string) {
	if r.OutputFile == nil {
		// The pod ended before curl did (a deadline, an eviction).
		if r.Phase == Succeeded {
			return Error, "the http pod ended without reporting its request", nil
		}
		return r.Phase, r.Message, nil
	}
	resp, err := parseHTTPReport(*r.OutputFile)
	if err != nil {
		return Error, err.Error(), nil
	}
	if resp.curlExit != 0 {
		if resp.curlError == "" {
			resp.curlError = fmt.Sprintf("curl exited with code %d", resp.curlExit)
		}
		return Failed, resp.curlError, nil
	}
	body := ""
	if r.Result != nil {
		body = *r.Result
	}
	if h.SuccessCondition == "" {
		if resp.statusCode < 200 || resp.statusCode >= 300 {
			return Failed, fmt.Sprintf("received non-2xx response code: %d", resp.statusCode), &body
		}
		return Succeeded, "", &body
	}
	ok, err := evalHTTPCondition(h, resp, body)
	switch {
	case err != nil:
		// Argo fails the node with the error, without outputs.
		return Failed, err.Error(), nil
	case !ok:
		return Failed, fmt.Sprintf("successCondition '%s' evaluated false", h.SuccessCondition), &body
	}
	return Succeeded, "", &body
}

// evalHTTPCondition evaluates successCondition with the variables Argo
// gives it, and its error messages.
func evalHTTPCondition(h *wfv1.HTTP, resp httpResponse, body string) (bool, error) {
	requestHeaders := http.Header{}
	for _, hd := range h.Headers {
		// Argo leaves out the Secret headers here.
		if hd.ValueFrom == nil {
			requestHeaders[hd.Name] = []string{hd.Value}
		}
	}
	var bodyBytes []byte
	if h.BodyFrom != nil {
		bodyBytes = h.BodyFrom.Bytes
	}
	env := map[string]any{
		"request": map[string]any{
			"method":    h.Method,
			"url":       h.URL,
			"body":      h.Body,
			"bodyBytes": bodyBytes,
			"headers":   requestHeaders,
		},
		"response": map[string]any{
			"statusCode": resp.statusCode,
			"body":       body,
			"headers":    resp.headers,
		},
	}
	program, err := expr.Compile(h.SuccessCondition, expr.Env(env))
	if err != nil {
		return false, err
	}
	out, err := expr.Run(program, env)
	if err != nil {
		return false, fmt.Errorf("unable to evaluate expression '%s': %w", h.SuccessCondition, err)
	}
	ok, isBool := out.(bool)
	if !isBool {
		return false, fmt.Errorf("unable to cast expression result '%s' to bool", out)
	}
	return ok, nil
}

// httpEnded sets an ended http node from its pod's result.
func (e *evaluator) httpEnded(n *Node, inst *wfv1.Template, r PodResult) {
	phase, message, result := httpVerdict(inst.HTTP, r)
	n.Phase, n.Message = phase, message
	if result != nil {
		n.Outputs = &Outputs{Result: result, Parameters: map[string]string{}}
	}
}

// isHTTP reports whether a node is an http node; eval.go runs it as a pod.
func isHTTP(n *Node) bool { return n.Type == compile.NodeHTTP }
