package compile

import (
	"bytes"
	"regexp"
)

// literalBlock is where a literal block scalar's text sits in its file. A
// literal block (`|`, `|-`, `|+`) keeps its lines as they are, less one
// indentation, so a position in its text is one in the file: how a child
// workflow's manifest gets its errors placed where the user wrote them.
type literalBlock struct {
	file          string
	first, indent int // the text's first line; the columns its indentation takes
}

// pos is the file position of p, a position in the block's text.
func (b literalBlock) pos(p Pos) Pos {
	return Pos{File: b.file, Line: b.first + p.Line - 1, Col: b.indent + p.Col}
}

// literalHeader is a literal block's header with no indentation indicator
// (which would set the indentation instead of its first line).
var literalHeader = regexp.MustCompile(`^\|[-+]?[ \t]*(#.*)?$`)

// literalBlock finds the literal block scalar at path. ok is false when
// the value is written any other way, or the document was not parsed from
// a file.
func (d *Document) literalBlock(path string) (block literalBlock, ok bool) {
	at, found := d.positions.lookup(d.sourcePath(path))
	if !found || d.source == nil {
		return block, false
	}
	lines := bytes.Split(d.source, []byte("\n"))
	if at.Line < 1 || at.Line > len(lines) || at.Col < 1 || at.Col > len(lines[at.Line-1]) {
		return block, false
	}
	if !literalHeader.Match(bytes.TrimRight(lines[at.Line-1][at.Col-1:], "\r")) {
		return block, false
	}
	for _, line := range lines[at.Line:] {
		text := bytes.TrimLeft(line, " ")
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		indent := len(line) - len(text)
		if indent == 0 {
			return block, false
		}
		return literalBlock{file: at.File, first: at.Line + 1, indent: indent}, true
	}
	return block, false
}
