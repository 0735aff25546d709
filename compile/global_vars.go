package compile

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Some of Argo's global variables are many (a format of the creation time
// per strftime letter) or long (the labels and annotations as JSON): a
// workflow is given them only when it refers to them, since every node's
// variables are a copy of the globals, and a wide workflow's evaluations
// copy and fingerprint them node by node.

// AnnotationScheduledTime is the annotation Argo's CronWorkflows put on the
// workflows they start, which {{workflow.scheduledTime}} gives.
const AnnotationScheduledTime = "workflows.argoproj.io/scheduled-time"

// strftimeLayouts are the strftime letters Argo gives
// {{workflow.creationTimestamp.LETTER}} for, as Go layouts.
var strftimeLayouts = map[string]string{
	"B": "January", "b": "Jan", "m": "01", "A": "Monday", "a": "Mon", "d": "02",
	"H": "15", "I": "03", "M": "04", "S": "05", "Y": "2006", "y": "06",
	"p": "PM", "Z": "MST", "z": "-0700", "L": ".000",
}

// addCreationFormats sets the formats of workflow.creationTimestamp:
// .RFC3339, .s for Unix seconds, and each strftime letter.
func addCreationFormats(v Vars, created time.Time) {
	v["workflow.creationTimestamp.RFC3339"] = created.Format(time.RFC3339)
	v["workflow.creationTimestamp.s"] = strconv.FormatInt(created.Unix(), 10)
	for letter, layout := range strftimeLayouts {
		v["workflow.creationTimestamp."+letter] = created.Format(layout)
	}
}

// addMetadataJSON sets workflow.labels and workflow.annotations as JSON
// objects, under .json too (the bare name is Argo's older one).
func addMetadataJSON(v Vars, labels, annotations map[string]string) {
	l, _ := json.Marshal(labels)
	a, _ := json.Marshal(annotations)
	v["workflow.labels"], v["workflow.labels.json"] = string(l), string(l)
	v["workflow.annotations"], v["workflow.annotations.json"] = string(a), string(a)
}

// globalRefs tells which of those the workflow refers to.
type globalRefs struct{ creationFormats, labels, annotations, duration bool }

type lazyGlobalRefs struct {
	once sync.Once
	refs globalRefs
}

// refers finds, once, which costly globals the workflow's spec names,
// by its text: a name in a tag or an expression counts alike.
func (w *Workflow) refers() globalRefs {
	find := func() globalRefs {
		spec, _ := json.Marshal(w.Spec)
		text := string(spec)
		return globalRefs{
			creationFormats: strings.Contains(text, "workflow.creationTimestamp."),
			labels:          strings.Contains(text, "workflow.labels"),
			annotations:     strings.Contains(text, "workflow.annotations"),
			duration:        strings.Contains(text, "workflow.duration"),
		}
	}
	if w.globalRefs == nil {
		return find()
	}
	w.globalRefs.once.Do(func() { w.globalRefs.refs = find() })
	return w.globalRefs.refs
}

// RunningVars are workflow.status and workflow.duration while the workflow
// runs, which Argo gives outside its exit handler too (the handler gets
// the final status): Running, and the seconds since started. Until the
// workflow has started (started nil: its first evaluation, which makes the
// first pods) they are the empty status and 0, as Argo's controller reads
// them from the workflow's status before its first reconcile marks it
// Running. The duration, new at every evaluation, is given only to a
// workflow that refers to it.
func (w *Workflow) RunningVars(started *time.Time, now time.Time) Vars {
	v := Vars{"workflow.status": "Running"}
	if started == nil {
		v["workflow.status"] = ""
	}
	if w.refers().duration {
		seconds := 0.0
		if started != nil {
			seconds = now.Sub(*started).Seconds()
		}
		v["workflow.duration"] = fmt.Sprintf("%f", seconds)
	}
	return v
}
