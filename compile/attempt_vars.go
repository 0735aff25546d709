package compile

import "strconv"

// AttemptVars are attempt i's own variables in a retried template, as Argo
// gives them: {{retries}}, {{lastRetry.*}} with Argo's values for the
// first attempt (exit code and duration 0, status and message empty; the
// driver sets those of the attempt before for the later ones), and
// {{node.name}}, which Argo sets to the retry node's name before it picks
// the attempt, so every attempt gets NAME, not NAME(i).
func AttemptVars(retryNode string, i int) Vars {
	return Vars{
		"node.name":          retryNode,
		"retries":            strconv.Itoa(i),
		"lastRetry.exitCode": "0",
		"lastRetry.duration": "0",
		"lastRetry.status":   "",
		"lastRetry.message":  "",
	}
}

// NodeName is {{node.name}} for the pod node name run with vars: its own
// name, or its retry node's when it is an attempt (AttemptVars).
func NodeName(vars Vars, name string) string {
	if retry, ok := vars["node.name"]; ok {
		return retry
	}
	return name
}
