package compile

import (
	"fmt"
	"slices"
	"strings"
)

// Depends is a parsed DAG `depends` expression (Argo's enhanced depends
// logic): task results joined with &&, || and !, grouped by parentheses.
type Depends struct {
	root dependsNode
}

// Task results a depends expression can test.
var taskResults = []string{"Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed"}

// TaskResult answers whether a dependency ended with a result.
type TaskResult func(task, result string) bool

type dependsNode interface {
	eval(TaskResult) bool
	tasks(add func(string))
}

type (
	dependsOr  struct{ l, r dependsNode }
	dependsAnd struct{ l, r dependsNode }
	dependsNot struct{ x dependsNode }
	// dependsRef is TASK.RESULT; a bare TASK has no result.
	dependsRef struct{ task, result string }
)

func (n dependsOr) eval(f TaskResult) bool  { return n.l.eval(f) || n.r.eval(f) }
func (n dependsAnd) eval(f TaskResult) bool { return n.l.eval(f) && n.r.eval(f) }
func (n dependsNot) eval(f TaskResult) bool { return !n.x.eval(f) }

// A bare task name means the task ended well: Argo reads `A` as
// `(A.Succeeded || A.Skipped || A.Daemoned)`, plus `A.Failed` and
// `A.Errored` as A's continueOn allows; the caller, which knows the
// task, answers for the result "".
func (n dependsRef) eval(f TaskResult) bool { return f(n.task, n.result) }

func (n dependsOr) tasks(add func(string))  { n.l.tasks(add); n.r.tasks(add) }
func (n dependsAnd) tasks(add func(string)) { n.l.tasks(add); n.r.tasks(add) }
func (n dependsNot) tasks(add func(string)) { n.x.tasks(add) }
func (n dependsRef) tasks(add func(string)) { add(n.task) }

// ParseDepends parses a depends expression.
func ParseDepends(s string) (*Depends, error) {
	p := &dependsParser{src: s}
	p.next()
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok != "" {
		return nil, p.errorf("unexpected %q", p.tok)
	}
	return &Depends{root: root}, nil
}

// DependenciesToDepends writes a `dependencies` list as the depends
// expression Argo treats it as: all of them, each ended well.
func DependenciesToDepends(deps []string) string { return strings.Join(deps, " && ") }

// Eval evaluates the expression.
func (d *Depends) Eval(result TaskResult) bool { return d.root.eval(result) }

// Tasks lists the tasks the expression names, each once, in order.
func (d *Depends) Tasks() []string {
	var out []string
	d.root.tasks(func(t string) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	})
	return out
}

// dependsParser is a recursive-descent parser over a tiny token stream.
type dependsParser struct {
	src      string
	pos      int    // offset after the current token
	tok      string // current token; "" at the end
	tokStart int
}

func (p *dependsParser) next() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
	p.tokStart = p.pos
	if p.pos >= len(p.src) {
		p.tok = ""
		return
	}
	rest := p.src[p.pos:]
	for _, op := range []string{"&&", "||", "!", "(", ")"} {
		if strings.HasPrefix(rest, op) {
			p.tok = op
			p.pos += len(op)
			return
		}
	}
	end := p.pos
	for end < len(p.src) && isNameByte(p.src[end]) {
		end++
	}
	if end == p.pos {
		end++ // one unexpected byte, reported by the caller
	}
	p.tok = p.src[p.pos:end]
	p.pos = end
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}

func (p *dependsParser) errorf(format string, args ...any) error {
	return fmt.Errorf("depends %q: %s at offset %d", p.src, fmt.Sprintf(format, args...), p.tokStart)
}

func (p *dependsParser) or() (dependsNode, error) {
	l, err := p.and()
	for err == nil && p.tok == "||" {
		p.next()
		var r dependsNode
		if r, err = p.and(); err == nil {
			l = dependsOr{l, r}
		}
	}
	return l, err
}

func (p *dependsParser) and() (dependsNode, error) {
	l, err := p.unary()
	for err == nil && p.tok == "&&" {
		p.next()
		var r dependsNode
		if r, err = p.unary(); err == nil {
			l = dependsAnd{l, r}
		}
	}
	return l, err
}

func (p *dependsParser) unary() (dependsNode, error) {
	switch p.tok {
	case "!":
		p.next()
		x, err := p.unary()
		return dependsNot{x}, err
	case "(":
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok != ")" {
			if p.tok == "" {
				return nil, p.errorf("missing )")
			}
			return nil, p.errorf("expected ), found %q", p.tok)
		}
		p.next()
		return x, nil
	case "":
		return nil, p.errorf("expression ends early")
	case "&&", "||", ")":
		return nil, p.errorf("unexpected %q", p.tok)
	}
	return p.ref()
}

func (p *dependsParser) ref() (dependsNode, error) {
	word := p.tok
	if !isNameByte(word[0]) {
		return nil, p.errorf("unexpected %q", word)
	}
	task, result := word, ""
	if i := strings.LastIndexByte(word, '.'); i >= 0 {
		task, result = word[:i], word[i+1:]
		if !slices.Contains(taskResults, result) {
			return nil, p.errorf("unknown task result %q (want one of %s)", result, strings.Join(taskResults, ", "))
		}
	}
	if task == "" {
		return nil, p.errorf("missing task name before %q", "."+result)
	}
	p.next()
	return dependsRef{task: task, result: result}, nil
}
