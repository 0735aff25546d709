package watch

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
	"github.com/kubectl-wf/kubectl-wf/compile"
)

// TestHTTPVerdict checks how an ended http node is decided from its pod's
// report, with Argo's agent's rules and messages.
func TestHTTPVerdict(t *testing.T) {
	report := func(s string) *string { return &s }
	ok200 := report("curl 0\nerror \n200\n{\"content-type\":[\"text/html\"],\"x-multi\":[\"a\",\"b\"]}\n")
	body := "<html>welcome to nginx</html>"
	tests := []struct {
		name        string
		condition   string
		result      PodResult
		wantPhase   Phase
		wantMessage string
		wantResult  *string
	}{{
		name:       "2xx by default",
		result:     PodResult{Phase: Succeeded, OutputFile: ok200, Result: &body},
		wantPhase:  Succeeded,
		wantResult: &body,
	}, {
		name:        "other codes fail by default, keeping the body",
		result:      PodResult{Phase: Succeeded, OutputFile: report("curl 0\nerror \n404\n{}"), Result: &body},
		wantPhase:   Failed,
		wantMessage: "received non-2xx response code: 404",
		wantResult:  &body,
	}, {
		name:        "a condition false fails with Argo's message",
		condition:   `response.statusCode == 201`,
		result:      PodResult{Phase: Succeeded, OutputFile: ok200, Result: &body},
		wantPhase:   Failed,
		wantMessage: "successCondition 'response.statusCode == 201' evaluated false",
		wantResult:  &body,
	}, {
		name:       "a condition on the body",
		condition:  `response.body contains "nginx"`,
		result:     PodResult{Phase: Succeeded, OutputFile: ok200, Result: &body},
		wantPhase:  Succeeded,
		wantResult: &body,
	}, {
		name:       "headers are canonical and keep every value",
		condition:  `response.headers["Content-Type"][0] == "text/html" && len(response.headers["X-Multi"]) == 2`,
		result:     PodResult{Phase: Succeeded, OutputFile: ok200, Result: &body},
		wantPhase:  Succeeded,
		wantResult: &body,
	}, {
		name:       "the request's fields",
		condition:  `request.method == "POST" && request.url == "http://a" && request.body == "b" && request.headers["X-A"][0] == "1" && request.headers["Authorization"] == nil`,
		result:     PodResult{Phase: Succeeded, OutputFile: ok200, Result: &body},
		wantPhase:  Succeeded,
		wantResult: &body,
	}, {
		name:       "a 404 can be a success",
		condition:  `response.statusCode == 404`,
		result:     PodResult{Phase: Succeeded, OutputFile: report("curl 0\nerror \n404\n{}"), Result: &body},
		wantPhase:  Succeeded,
		wantResult: &body,
	}, {
		name:        "a condition that is not a bool fails with no outputs",
		condition:   `response.statusCode`,
		result:      PodResult{Phase: Succeeded, OutputFile: ok200, Result: &body},
		wantPhase:   Failed,
		wantMessage: "unable to cast expression result '%!s(int=200)' to bool",
	}, {
		name:        "no response: curl's error",
		result:      PodResult{Phase: Failed, Message: "main: Error (exit code 7)", OutputFile: report("curl 7\nerror curl: (7) Failed to connect to 10.0.0.1 port 81: Connection refused \n000\n")},
		wantPhase:   Failed,
		wantMessage: "curl: (7) Failed to connect to 10.0.0.1 port 81: Connection refused",
	}, {
		name:        "headers cut short are left out, the rest stands",
		condition:   `response.statusCode == 200 && len(response.headers) == 0`,
		result:      PodResult{Phase: Succeeded, OutputFile: report("curl 0\nerror \n200\n{\"server\":[\"ngi"), Result: &body},
		wantPhase:   Succeeded,
		wantResult:  &body,
		wantMessage: "",
	}, {
		name:        "a pod stopped before curl ended keeps its verdict",
		result:      PodResult{Phase: Failed, Message: podDeadline},
		wantPhase:   Failed,
		wantMessage: podDeadline,
	}, {
		name:        "a report that is not one is an error",
		result:      PodResult{Phase: Succeeded, OutputFile: report("hello")},
		wantPhase:   Error,
		wantMessage: `the http pod reported "hello"`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &wfv1.HTTP{URL: "http://a", Method: "POST", Body: "b", SuccessCondition: tt.condition,
				Headers: []wfv1.HTTPHeader{{Name: "X-A", Value: "1"}, {Name: "Authorization", ValueFrom: &wfv1.HTTPHeaderSource{}}}}
			phase, message, result := httpVerdict(h, tt.result)
			if phase != tt.wantPhase || message != tt.wantMessage {
				t.Errorf("verdict = %s %q, want %s %q", phase, message, tt.wantPhase, tt.wantMessage)
			}
			if d := cmp.Diff(tt.wantResult, result); d != "" {
				t.Errorf("result (-want +got):\n%s", d)
			}
		})
	}
}

// TestHTTPRequestWithCurl runs an http node's container command, as the
// kubelet would run it, with this machine's curl against a local server,
// and decides the node from what it leaves: the request the server sees,
// the body byte for byte as the result, and the verdict.
func TestHTTPRequestWithCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl on this machine")
	}
	// The handler runs in the server's goroutine; curl, another process,
	// orders it before the test reads it, which the race detector cannot
	// see: hence the lock.
	var mu sync.Mutex
	var seen struct{ method, token, contentType, body string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen.method, seen.token, seen.contentType, seen.body = r.Method, r.Header.Get("X-Token"), r.Header.Get("Content-Type"), string(b)
		mu.Unlock()
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/missing":
			http.Error(w, "no such thing", http.StatusNotFound)
		default:
			w.Header().Set("X-Server", "test")
			fmt.Fprint(w, "line one\nline two\n")
		}
	}))
	defer srv.Close()
	const secretValue = "s3cret $(HOME) 'quoted'"
	tests := []struct {
		name, http  string
		wantPhase   Phase
		wantMessage string
		wantResult  string
		wantSeen    string
	}{{
		name:       "a GET following a redirect",
		http:       `{url: "` + srv.URL + `/redirect", successCondition: 'response.headers["X-Server"][0] == "test"'}`,
		wantPhase:  Succeeded,
		wantResult: "line one\nline two\n",
		wantSeen:   "GET  ",
	}, {
		name: "a POST with a body and a Secret header",
		http: `{url: "` + srv.URL + `/ok", method: POST, body: '{"a": 1}',
		        headers: [{name: X-Token, valueFrom: {secretKeyRef: {name: s, key: k}}}]}`,
		wantPhase:  Succeeded,
		wantResult: "line one\nline two\n",
		wantSeen:   "POST " + secretValue + ` {"a": 1}`,
	}, {
		name:       "a POST redirected by a 302 turns into a GET, as in Go's client",
		http:       `{url: "` + srv.URL + `/redirect", method: POST, body: x}`,
		wantPhase:  Succeeded,
		wantResult: "line one\nline two\n",
		wantSeen:   "GET  ",
	}, {
		name:        "a 404",
		http:        `{url: "` + srv.URL + `/missing"}`,
		wantPhase:   Failed,
		wantMessage: "received non-2xx response code: 404",
		wantResult:  "no such thing\n",
		wantSeen:    "GET  ",
	}, {
		name:        "nothing listening",
		http:        `{url: "http://127.0.0.1:1/"}`,
		wantPhase:   Failed,
		wantMessage: "curl: (7) Failed to connect to 127.0.0.1 port 1",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			seen.method, seen.token, seen.contentType, seen.body = "", "", "", ""
			mu.Unlock()
			w := compileHTTP(t, tt.http)
			job, body, err := w.PodObjects("wf", mustTemplate(t, w, "main"))
			if err != nil {
				t.Fatal(err)
			}
			r := runLikeKubelet(t, job.Spec.Template.Spec.Containers[0], body, secretValue)
			phase, message, result := httpVerdict(mustTemplate(t, w, "main").HTTP, r)
			if phase != tt.wantPhase || !strings.HasPrefix(message, tt.wantMessage) {
				t.Errorf("verdict = %s %q, want %s %q…", phase, message, tt.wantPhase, tt.wantMessage)
			}
			if tt.wantResult != "" && (result == nil || *result != tt.wantResult) {
				t.Errorf("result = %v, want %q", result, tt.wantResult)
			}
			mu.Lock()
			got := seen
			mu.Unlock()
			if tt.wantSeen != "" {
				if s := got.method + " " + got.token + " " + got.body; s != tt.wantSeen {
					t.Errorf("the server saw %q, want %q", s, tt.wantSeen)
				}
				if got.contentType != "" {
					t.Errorf("curl sent Content-Type %q; Go's client sends none", got.contentType)
				}
			}
		})
	}
}

func compileHTTP(t *testing.T, httpYAML string) *compile.Workflow {
	t.Helper()
	src := "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: wf}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    http: " + httpYAML + "\n"
	docs, diags := compile.ParseFile("wf.yaml", []byte(src))
	if diags = append(diags, compile.Lint(docs)...); diags.HasErrors() {
		t.Fatalf("invalid test workflow:\n%v", diags)
	}
	w, err := compile.NewWorkflow(docs[0], compile.Options{Namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func mustTemplate(t *testing.T, w *compile.Workflow, name string) *wfv1.Template {
	t.Helper()
	tmpl, ok := w.Template(name)
	if !ok {
		t.Fatalf("no template %s", name)
	}
	return tmpl
}

// runLikeKubelet runs a container's command on this machine as the
// kubelet would: $(VAR) expanded from its environment (every Secret
// holding secretValue), its files moved under a temporary folder, and its
// termination message and log read back.
func runLikeKubelet(t *testing.T, c corev1.Container, body *corev1.ConfigMap, secretValue string) PodResult {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = secretValue
	}
	if body != nil {
		if err := os.WriteFile(filepath.Join(dir, compile.HTTPBodyKey), body.BinaryData[compile.HTTPBodyKey], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	move := strings.NewReplacer("/tmp/", dir+"/", "/dev/termination-log", dir+"/termination-log", compile.ScriptMountPath, dir)
	var argv []string
	for _, a := range append(slices.Clone(c.Command), c.Args...) {
		argv = append(argv, move.Replace(expandKube(a, env)))
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	r := PodResult{Phase: Succeeded}
	if err := cmd.Run(); err != nil {
		r.Phase = Failed
	}
	msg, err := os.ReadFile(filepath.Join(dir, "termination-log"))
	if err != nil {
		t.Fatal(err)
	}
	report, result := string(msg), TrimResult(stdout.Bytes())
	r.OutputFile, r.Result = &report, &result
	return r
}

// expandKube is Kubernetes' expansion of a container's command and
// arguments: $$ is $, $(NAME) the variable's value when it is defined.
func expandKube(s string, env map[string]string) string {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			out.WriteByte(s[i])
			continue
		}
		switch {
		case s[i+1] == '$':
			out.WriteByte('$')
			i++
		case s[i+1] == '(':
			end := strings.IndexByte(s[i:], ')')
			if v, ok := env[s[i+2:i+max(end, 2)]]; end > 0 && ok {
				out.WriteString(v)
				i += end
				continue
			}
			out.WriteByte('$')
		default:
			out.WriteByte('$')
		}
	}
	return out.String()
}

// TestHTTPNodes evaluates workflows of http nodes to their end: the node
// type, the verdict, a retried request, the result passed to the next
// step, and the progress, which counts http nodes as Argo does.
func TestHTTPNodes(t *testing.T) {
	respond := func(status int, body string) PodResult {
		r := succeed(body)
		report := fmt.Sprintf("curl 0\nerror \n%d\n{}", status)
		r.OutputFile = &report
		return r
	}
	const src = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: call, template: call}
    - - {name: print, template: print, arguments: {parameters: [{name: text, value: "{{steps.call.outputs.result}}"}]}}
  - name: call
    retryStrategy: {limit: 2}
    http: {url: "http://server/"}
  - name: print
    inputs: {parameters: [{name: text}]}
    container: {image: busybox, command: [echo, "{{inputs.parameters.text}}"]}
`
	tests := []struct {
		name         string
		failures     int // attempts answered 503 before one answered 200
		wantPhase    Phase
		wantMessage  string
		wantAttempts int
		wantPrinted  string
		wantProgress string
	}{
		{name: "first time", wantPhase: Succeeded, wantAttempts: 1, wantPrinted: "pong", wantProgress: "2/2"},
		{name: "after a retry", failures: 1, wantPhase: Succeeded, wantAttempts: 2, wantPrinted: "pong", wantProgress: "2/3"},
		{name: "retries spent", failures: 3, wantPhase: Failed, wantMessage: "No more retries left", wantAttempts: 3, wantProgress: "0/3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attempts, printed := 0, ""
			status, _ := simulate(t, workflow(t, src), func(node string, cmd []string) PodResult {
				if strings.HasSuffix(node, ".print") {
					printed = cmd[len(cmd)-1]
					return succeed(printed)
				}
				if attempts++; attempts <= tt.failures {
					return respond(503, "busy")
				}
				return respond(200, "pong")
			})
			call := nodeNamed(status, "wf[0].call")
			if call == nil || call.Phase != tt.wantPhase || call.Message != tt.wantMessage {
				t.Fatalf("call = %+v, want %s %q", call, tt.wantPhase, tt.wantMessage)
			}
			var types []string
			for _, id := range call.Children {
				types = append(types, status.Nodes[id].Type)
				if c := status.Nodes[id]; c.Phase == Failed && c.Message != "received non-2xx response code: 503" {
					t.Errorf("attempt %s: %q, want Argo's non-2xx message", c.Name, c.Message)
				}
			}
			if want := slices.Repeat([]string{compile.NodeHTTP}, tt.wantAttempts); !slices.Equal(types, want) {
				t.Errorf("attempts %v, want %v", types, want)
			}
			if printed != tt.wantPrinted || status.Progress != tt.wantProgress {
				t.Errorf("printed %q, progress %s; want %q, %s", printed, status.Progress, tt.wantPrinted, tt.wantProgress)
			}
		})
	}
}

func nodeNamed(s *Status, name string) *Node {
	for _, n := range s.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}
