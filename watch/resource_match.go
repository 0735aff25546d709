package watch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/itchyny/gojq"
	"github.com/tidwall/gjson"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/jsonpath"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// objectPaths lets label-selector requirements read an object: each key
// is a gjson path into its JSON, as in Argo's successCondition and
// failureCondition.
type objectPaths []byte

func (o objectPaths) Has(path string) bool { return gjson.GetBytes(o, path).Exists() }
func (o objectPaths) Get(path string) string {
	return gjson.GetBytes(o, path).String()
}
func (o objectPaths) Lookup(path string) (string, bool) {
	r := gjson.GetBytes(o, path)
	return r.String(), r.Exists()
}

// matchConditions checks an object against a resource node's conditions
// in Argo's order: any failure requirement that matches fails the node
// (its message names it); otherwise it is done when every success
// requirement matches.
func matchConditions(obj *unstructured.Unstructured, success, failure labels.Requirements) (failed string, done bool) {
	if len(success) == 0 && len(failure) == 0 {
		return "", true
	}
	raw, err := json.Marshal(obj.Object)
	if err != nil {
		return err.Error(), false
	}
	o := objectPaths(raw)
	for _, r := range failure {
		if r.Matches(o) {
			return fmt.Sprintf("failure condition '%s' evaluated true", r.String()), false
		}
	}
	for _, r := range success {
		if !r.Matches(o) {
			return "", false
		}
	}
	return "", true
}

// resourceOutputs reads a resource node's output parameters from its
// object: valueFrom.jsonPath is printed as `kubectl get -o jsonpath=…`
// prints it.
func resourceOutputs(t *wfv1.Template, obj *unstructured.Unstructured) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range t.Outputs.Parameters {
		switch {
		case p.ValueFrom != nil && p.ValueFrom.JSONPath != "":
			jp := jsonpath.New(p.Name).AllowMissingKeys(true)
			if err := jp.Parse(p.ValueFrom.JSONPath); err != nil {
				return nil, fmt.Errorf("output parameter %q: jsonPath %q: %v", p.Name, p.ValueFrom.JSONPath, err)
			}
			var b bytes.Buffer
			if err := jp.Execute(&b, obj.Object); err != nil {
				return nil, fmt.Errorf("output parameter %q: jsonPath %q: %v", p.Name, p.ValueFrom.JSONPath, err)
			}
			out[p.Name] = b.String()
		case p.ValueFrom != nil && p.ValueFrom.JQFilter != "":
			v, err := jqFilter(obj, p.ValueFrom.JQFilter)
			if err != nil {
				return nil, fmt.Errorf("output parameter %q: jqFilter %q: %v", p.Name, p.ValueFrom.JQFilter, err)
			}
			out[p.Name] = v
		case p.Value != nil:
			out[p.Name] = p.Value.String()
		case p.ValueFrom != nil && p.ValueFrom.Default != nil:
			out[p.Name] = p.ValueFrom.Default.String()
		}
	}
	return out, nil
}

// jqFilter runs a jq program on an object as Argo does: every result on a
// line of its own (strings bare, others as JSON), the whole trimmed.
func jqFilter(obj *unstructured.Unstructured, filter string) (string, error) {
	q, err := gojq.Parse(filter)
	if err != nil {
		return "", err
	}
	// Plain JSON values (float64 numbers), as jq reads them.
	raw, err := json.Marshal(obj.Object)
	if err != nil {
		return "", err
	}
	var input any
	if err := json.Unmarshal(raw, &input); err != nil {
		return "", err
	}
	var b strings.Builder
	iter := q.Run(input)
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if err, ok := v.(error); ok {
			return "", err
		}
		if s, ok := v.(string); ok {
			b.WriteString(s)
		} else {
			j, err := json.Marshal(v)
			if err != nil {
				return "", err
			}
			b.Write(j)
		}
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String()), nil
}
