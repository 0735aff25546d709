package cli

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/watch"
)

// icons are argo get's status marks.
var icons = map[watch.Phase]string{
	watch.Pending: "◷", watch.Running: "●", watch.Succeeded: "✔", watch.Skipped: "○",
	watch.Failed: "✖", watch.Error: "⚠", watch.Omitted: "○",
}

// colors are SGR codes of one length, so that every coloured row is as
// much wider in bytes than it looks as the header (colourBold) is, and the
// tabwriter, which counts bytes, keeps the columns aligned.
var colors = map[watch.Phase]string{
	watch.Pending: "\033[33m", watch.Running: "\033[36m", watch.Succeeded: "\033[32m",
	watch.Failed: "\033[31m", watch.Error: "\033[31m", watch.Skipped: "\033[90m", watch.Omitted: "\033[90m",
}

const (
	colourBold  = "\033[01m"
	colourReset = "\033[0m"
)

// treePrinter draws a workflow's nodes as argo get does: steps groups as
// ┬ branches, then STEP TEMPLATE PODNAME DURATION MESSAGE.
type treePrinter struct {
	status *watch.Status
	now    time.Time
	color  bool
	// wide adds argo get -o wide's columns: ARTIFACTS and RESOURCESDURATION
	// (empty: kubectl-wf has neither) and NODENAME, the pod's host.
	wide bool
	tw   *tabwriter.Writer
}

func printTree(out io.Writer, s *watch.Status, now time.Time, color bool) error {
	return (&treePrinter{status: s, now: now, color: color}).print(out)
}

func (p *treePrinter) print(out io.Writer) error {
	s, color := p.status, p.color
	p.tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	header := "STEP"
	if color {
		header = colourBold + header + colourReset
	}
	if p.wide {
		fmt.Fprintln(p.tw, header+"\tTEMPLATE\tPODNAME\tDURATION\tARTIFACTS\tMESSAGE\tRESOURCESDURATION\tNODENAME")
	} else {
		fmt.Fprintln(p.tw, header+"\tTEMPLATE\tPODNAME\tDURATION\tMESSAGE")
	}
	if root := s.Nodes[s.Root]; root != nil {
		p.row("", root)
		p.children("", root)
	}
	// The exit handler is a tree of its own, after an empty row, as in argo get.
	if exit := s.Nodes[s.OnExit]; exit != nil {
		fmt.Fprintln(p.tw, "\t\t\t\t")
		p.row("", exit)
		p.children("", exit)
	}
	return p.tw.Flush()
}

func (p *treePrinter) row(prefix string, n *watch.Node) {
	icon := icons[n.Phase]
	if n.Type == "Suspend" && n.Phase == watch.Running {
		icon = "ǁ"
	}
	if p.color {
		c, ok := colors[n.Phase]
		if !ok {
			c = colourBold
		}
		icon = c + icon + colourReset
	}
	pod, dur := "", ""
	if n.Type == "Pod" {
		pod = n.Pod
		dur = p.duration(n)
	}
	template := n.Template
	if compile.IsInline(template) {
		template = "" // argo get shows no template for an inline one
	}
	if p.wide {
		fmt.Fprintf(p.tw, " %s%s %s\t%s\t%s\t%s\t\t%s\t\t%s\n", prefix, icon, n.DisplayName, template, pod, dur, n.Message, n.HostNodeName)
		return
	}
	fmt.Fprintf(p.tw, " %s%s %s\t%s\t%s\t%s\t%s\n", prefix, icon, n.DisplayName, template, pod, dur, n.Message)
}

func (p *treePrinter) duration(n *watch.Node) string {
	if n.StartedAt == nil {
		return ""
	}
	end := p.now
	if n.FinishedAt != nil {
		end = *n.FinishedAt
	}
	return duration.HumanDuration(end.Sub(*n.StartedAt))
}

// visible lists the children a tree shows: Omitted nodes are hidden.
func (p *treePrinter) visible(n *watch.Node) []*watch.Node {
	var out []*watch.Node
	for _, id := range n.Children {
		if c := p.status.Nodes[id]; c != nil && c.Phase != watch.Omitted {
			out = append(out, c)
		}
	}
	return out
}

func (p *treePrinter) children(prefix string, n *watch.Node) {
	kids := p.visible(n)
	if n.Type != "Steps" {
		for i, c := range kids {
			last := i == len(kids)-1
			p.row(prefix+pick(last, "└─", "├─"), c)
			p.children(prefix+pick(last, "  ", "│ "), c)
		}
		return
	}
	// A steps node's children are its groups, drawn as branches.
	for gi, g := range kids {
		lastGroup := gi == len(kids)-1
		steps := p.visible(g)
		for si, c := range steps {
			var branch, next string
			switch {
			case len(steps) == 1:
				branch, next = pick(lastGroup, "└───", "├───"), pick(lastGroup, "    ", "│   ")
			case si == 0:
				branch, next = pick(lastGroup, "└─┬─", "├─┬─"), pick(lastGroup, "  │ ", "│ │ ")
			default:
				last := si == len(steps)-1
				branch = pick(lastGroup, "  ", "│ ") + pick(last, "└─", "├─")
				next = pick(lastGroup, "  ", "│ ") + pick(last, "  ", "│ ")
			}
			p.row(prefix+branch, c)
			p.children(prefix+next, c)
		}
	}
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// useColor is kubectl's rule: a terminal, TERM not dumb, NO_COLOR unset.
func useColor(out io.Writer, noColor bool) bool {
	if noColor {
		return false
	}
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	return isTerminal(out)
}
