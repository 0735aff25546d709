package compile

import (
	"reflect"
	"strings"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// fieldStatus is how kubectl-wf runs one field of Argo's schema.
type fieldStatus struct {
	// Key is the field as the support table names it: Type.jsonName.
	Key string
	// Status is "supported", "partly", "not yet" or "ignored".
	Status string
	// Note says what differs, or why it is not supported.
	Note string
}

// fieldTable lists every field of Argo's Workflow schema that kubectl-wf
// reads, in the order a reader meets them (Workflow, its spec, templates,
// …), each with its status. Fields of Kubernetes' own types (a container,
// a volume) are one row each: they are passed to the pod as written. The
// fields below a field that is not supported are left out.
func fieldTable() []fieldStatus {
	var rows []fieldStatus
	seen := map[reflect.Type]bool{}
	queue := []reflect.Type{reflect.TypeOf(wfv1.Workflow{})}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		if seen[t] {
			continue
		}
		seen[t] = true
		for _, f := range argoFields(t, t.Name()) {
			row := fieldStatus{Key: f.key, Status: "supported"}
			if s, ok := supportTable[f.key]; ok {
				row.Status, row.Note = "not yet", s.reason
				if s.severity == Warning {
					row.Status = "ignored"
				}
			} else if note, ok := partlySupported[f.key]; ok {
				row.Status, row.Note = "partly", note
			}
			if f.kube != "" && row.Note == "" {
				row.Note = "Kubernetes' " + f.kube + ", as written"
			}
			rows = append(rows, row)
			if f.argo != nil && row.Status != "not yet" && row.Status != "ignored" {
				queue = append(queue, f.argo)
			}
		}
	}
	return rows
}

type argoField struct {
	key  string
	argo reflect.Type // the Argo type the field holds, to list next
	kube string       // the Kubernetes type it holds, if any
}

// argoField lists t's JSON fields, inline Argo structs flattened; an inline
// Kubernetes struct (a script's Container) is one row named after it.
func argoFields(t reflect.Type, owner string) []argoField {
	var out []argoField
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		elem := elemType(f.Type)
		inline := name == "" && (f.Anonymous || strings.Contains(opts, "inline"))
		switch {
		case inline && isArgo(elem):
			out = append(out, argoFields(elem, owner)...)
		case inline && isKube(elem):
			if elem.PkgPath() == "k8s.io/apimachinery/pkg/apis/meta/v1" && elem.Name() == "TypeMeta" {
				continue // apiVersion and kind, checked by the parser
			}
			out = append(out, argoField{key: owner + ".(" + elem.Name() + " fields)", kube: kubeName(elem)})
		case name == "-" && isArgo(elem):
			// A type that decodes itself from a list (ParallelSteps):
			// its element's fields are listed, it has none of its own.
			out = append(out, argoField{key: owner + ".(" + elem.Name() + " list)", argo: elem})
		case name == "-" || !f.IsExported():
		default:
			af := argoField{key: owner + "." + name}
			if isArgo(elem) {
				af.argo = elem
			} else if isKube(elem) {
				af.kube = kubeName(elem)
			}
			out = append(out, af)
		}
	}
	return out
}

func elemType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	return t
}

func isArgo(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.PkgPath() == reflect.TypeOf(wfv1.Workflow{}).PkgPath()
}

// isKube reports whether t is one of Kubernetes' API types (a Container,
// a Volume), which kubectl-wf passes on as written.
func isKube(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && (strings.HasPrefix(t.PkgPath(), "k8s.io/api/") || t.PkgPath() == "k8s.io/apimachinery/pkg/apis/meta/v1")
}

func kubeName(t reflect.Type) string {
	pkg := t.PkgPath()
	return "`" + pkg[strings.LastIndex(pkg, "/")+1:] + "." + t.Name() + "`"
}
