package compile

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Kubernetes limits that generated names must respect.
const (
	// A Job's name is copied into its pods' job-name label: 63 characters.
	maxJobName = 63
)

// Node names follow Argo's scheme, so that `get` shows what `argo get` does:
// the root is the workflow's name, a step is PARENT[GROUP].STEP, a task is
// PARENT.TASK, an expanded loop child is NAME(INDEX:VALUE).

// StepNodeName names step `step` of group `group` under parent.
func StepNodeName(parent string, group int, step string) string {
	return fmt.Sprintf("%s[%d].%s", parent, group, step)
}

// StepGroupNodeName names the group node of a steps template.
func StepGroupNodeName(parent string, group int) string {
	return fmt.Sprintf("%s[%d]", parent, group)
}

// TaskNodeName names DAG task `task` under parent.
func TaskNodeName(parent, task string) string { return parent + "." + task }

// loopLabelParens is built once: a Replacer is costly to build, and a
// driver names every item of every loop on each reconcile.
var loopLabelParens = strings.NewReplacer("(", "", ")", "")

// LoopNodeName names the index'th child of an expanded step or task. Argo
// strips parentheses from the value so that names stay parseable.
func LoopNodeName(name string, index int, value string) string {
	value = loopLabelParens.Replace(value)
	return name + "(" + strconv.Itoa(index) + ":" + value + ")"
}

// RetryNodeName names attempt i of a node with a retryStrategy.
func RetryNodeName(name string, attempt int) string { return fmt.Sprintf("%s(%d)", name, attempt) }

// NodeHash is Argo's node hash: FNV-1a 32 of the node's full name.
func NodeHash(nodeName string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(nodeName))
	return h.Sum32()
}

// NodeID is Argo's node ID: the workflow's name for the root, else
// WORKFLOW-HASH.
func NodeID(workflow, nodeName string) string {
	if nodeName == workflow {
		return workflow
	}
	return workflow + "-" + strconv.FormatUint(uint64(NodeHash(nodeName)), 10)
}

// JobName is the deterministic name of the Job that runs a pod node: Argo's
// pod name (WORKFLOW-TEMPLATE-HASH, or WORKFLOW for the root node) cut to
// fit Kubernetes' 63-character label limit. The hash keeps it unique; the
// prefix is only for people. A template copied in from a WorkflowTemplate
// ("NAME/TEMPLATE") is named by its own name, TEMPLATE, as Argo names the
// pod after the template it resolved.
func JobName(workflow, template, nodeName string) string {
	if nodeName == workflow && len(workflow) <= maxJobName {
		return workflow
	}
	if IsInline(template) {
		template = "" // Argo names such a pod WORKFLOW-HASH
	} else if i := strings.LastIndexByte(template, '/'); i >= 0 {
		template = template[i+1:]
	}
	hash := fmt.Sprint(NodeHash(nodeName))
	prefix := workflow
	if template != "" {
		prefix += "-" + template
	}
	prefix = strings.ToLower(prefix)
	if max := maxJobName - len(hash) - 1; len(prefix) > max {
		prefix = strings.TrimRight(prefix[:max], "-.")
	}
	return prefix + "-" + hash
}

// ScriptConfigMapName is the name of the ConfigMap holding a Job's script.
func ScriptConfigMapName(jobName string) string { return jobName + "-script" }

// LoopLocal are a looped step's or task's local variables for its item i:
// Argo names the expanded step or task NAME(i:label), and gives that name
// as {{steps.name}} or {{tasks.name}} to the template it calls.
func LoopLocal(local Vars, index int, label string) Vars {
	out := make(Vars, len(local))
	for k, name := range local {
		out[k] = LoopNodeName(name, index, label)
	}
	return out
}

// TopLocal are the local variables of a template Argo runs by itself, not
// from a step or task (the entrypoint, spec.onExit): it calls it as a step
// with no name, so {{steps.name}} is empty there and in its steps'
// arguments.
func TopLocal() Vars { return Vars{"steps.name": ""} }

// ReservedContainerPrefix starts the names of the containers kubectl-wf
// adds to a pod (FetchContainerName, ArtifactsContainerName, …), as
// Argo's init and wait containers are its own.
const ReservedContainerPrefix = "kubectl-wf-"
