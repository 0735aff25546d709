package watch

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestStepsAndTasksName: a template called by a step or a task gets that
// step's or task's name as {{steps.name}} or {{tasks.name}}, in loops too,
// as Argo gives them (localParams); the driver builds the same Jobs as
// compile does.
func TestStepsAndTasksName(t *testing.T) {
	src, err := os.ReadFile("../fixtures/steps-tasks-name.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w := workflow(t, string(src))
	var echoed []string
	simulate(t, w, func(_ string, command []string) PodResult {
		echoed = append(echoed, command[1])
		return succeed("")
	})
	slices.Sort(echoed)
	want := []string{
		"step hello of steps-tasks-name[0].hello",
		"step many of steps-tasks-name[0].many(0:a)",
		"step many of steps-tasks-name[0].many(1:b)",
		"task first",
	}
	if !slices.Equal(echoed, want) {
		t.Errorf("echoed\n%s\nwant\n%s", strings.Join(echoed, "\n"), strings.Join(want, "\n"))
	}
}
