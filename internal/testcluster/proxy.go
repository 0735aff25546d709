package testcluster

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// CountingProxy stands between a program under test and the apiserver and
// counts the requests that pass, by verb and resource. It lets a test count
// the API requests of an unmodified kubectl-wf process: the process gets
// the proxy's kubeconfig (plain HTTP on loopback, no credentials), and the
// proxy forwards with the test's own credentials.
type CountingProxy struct {
	// Kubeconfig is the path of a kubeconfig that points at the proxy.
	Kubeconfig string

	mu     sync.Mutex
	counts map[string]int
}

// NewCountingProxy starts a proxy to the cluster of cfg for the rest of the
// test.
func NewCountingProxy(t testing.TB, cfg *rest.Config) *CountingProxy {
	t.Helper()
	transport, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatalf("proxy transport: %v", err)
	}
	target, err := url.Parse(cfg.Host)
	if err != nil {
		t.Fatalf("proxy target %q: %v", cfg.Host, err)
	}
	p := &CountingProxy{counts: map[string]int{}}
	forward := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport: transport,
		// Watches stream: pass each event on as it comes.
		FlushInterval: -1,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.counts[Classify(r.Method, r.URL)]++
		p.mu.Unlock()
		forward.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	kc := clientcmdapi.NewConfig()
	kc.Clusters["proxy"] = &clientcmdapi.Cluster{Server: "http://" + ln.Addr().String()}
	kc.AuthInfos["proxy"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["proxy"] = &clientcmdapi.Context{Cluster: "proxy", AuthInfo: "proxy"}
	kc.CurrentContext = "proxy"
	p.Kubeconfig = filepath.Join(t.TempDir(), "proxy.kubeconfig")
	if err := clientcmd.WriteToFile(*kc, p.Kubeconfig); err != nil {
		t.Fatalf("proxy kubeconfig: %v", err)
	}
	if err := os.Chmod(p.Kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Counts returns the requests so far, by "verb resource".
func (p *CountingProxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.counts)
}

// Since returns the requests counted after an earlier Counts.
func (p *CountingProxy) Since(before map[string]int) map[string]int {
	out := p.Counts()
	for k, v := range before {
		if out[k] -= v; out[k] == 0 {
			delete(out, k)
		}
	}
	return out
}

// IsWrite reports whether a verb changes an object.
func IsWrite(verb string) bool {
	switch verb {
	case "create", "update", "patch", "delete", "deletecollection":
		return true
	}
	return false
}

// FormatCounts prints counts as "verb resource=N/node" pairs, sorted, with
// the writes per node summed first.
func FormatCounts(counts map[string]int, nodes int) string {
	writes := 0
	var parts []string
	for _, key := range slices.Sorted(maps.Keys(counts)) {
		verb, _, _ := strings.Cut(key, " ")
		if IsWrite(verb) {
			writes += counts[key]
		}
		parts = append(parts, fmt.Sprintf("%s=%d (%.2f/node)", key, counts[key], float64(counts[key])/float64(nodes)))
	}
	return fmt.Sprintf("writes %.2f/node; %s", float64(writes)/float64(nodes), strings.Join(parts, ", "))
}

// Classify names a request as the apiserver's audit log would: its verb
// (get, list, watch, create, update, patch, delete, deletecollection) and
// its resource, with a subresource after a slash (jobs/status).
func Classify(method string, u *url.URL) string {
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	// /api/v1/... or /apis/GROUP/VERSION/...
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	default:
		return strings.ToLower(method) + " " + u.Path
	}
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) > 2 {
		parts = parts[2:]
	}
	resource, named := "", false
	if len(parts) > 0 {
		resource = parts[0]
	}
	if len(parts) > 1 {
		named = true
	}
	if len(parts) > 2 {
		resource += "/" + parts[2]
	}
	verb := strings.ToLower(method)
	switch method {
	case http.MethodGet:
		switch {
		case u.Query().Get("watch") == "true" || u.Query().Get("watch") == "1":
			verb = "watch"
		case named:
			verb = "get"
		default:
			verb = "list"
		}
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	case http.MethodPatch:
		verb = "patch"
	case http.MethodDelete:
		if named {
			verb = "delete"
		} else {
			verb = "deletecollection"
		}
	}
	return verb + " " + resource
}
