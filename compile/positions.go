package compile

import (
	"strconv"
	"strings"
	"sync"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// positions records where each field of a document is: a tree of entries
// appended as the schema walk goes, one per field, map key and list item.
// Paths are spelt out only when asked for, which a file without problems
// never does; building a path string for each of a big file's 100,000
// fields was a third of its schema walk.
type positions struct {
	file string
	// entries in chunks, so that a big file's never move as they grow.
	chunks [][]posEntry
	n      int

	once   sync.Once
	byPath map[string]Pos
}

// posEntry is one field (key set) or list item (index >= 0).
type posEntry struct {
	parent    int32 // -1 under the document
	index     int32
	key       string
	line, col int32
}

// add records node's position as the child of parent named key, or at
// index when index >= 0, and returns the new entry.
func (p *positions) add(parent int, key string, index int, node *kyaml.Node) int {
	if p.n%posChunk == 0 {
		p.chunks = append(p.chunks, make([]posEntry, 0, posChunk))
	}
	last := &p.chunks[len(p.chunks)-1]
	*last = append(*last, posEntry{parent: int32(parent), index: int32(index), key: key,
		line: int32(node.Line), col: int32(node.Column)})
	p.n++
	return p.n - 1
}

const posChunk = 4096

func (p *positions) entry(i int) *posEntry { return &p.chunks[i/posChunk][i%posChunk] }

// pos is where entry i is.
func (p *positions) pos(i int) Pos {
	e := p.entry(i)
	return Pos{File: p.file, Line: int(e.line), Col: int(e.col)}
}

// path spells out entry i's path, as `spec.templates[0].name`; "" for -1.
func (p *positions) path(i int) string {
	var chain []int
	for ; i >= 0; i = int(p.entry(i).parent) {
		chain = append(chain, i)
	}
	var b strings.Builder
	for k := len(chain) - 1; k >= 0; k-- {
		p.appendSeg(&b, p.entry(chain[k]))
	}
	return b.String()
}

func (p *positions) appendSeg(b *strings.Builder, e *posEntry) {
	if e.index >= 0 {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(int(e.index)))
		b.WriteByte(']')
		return
	}
	if e.parent >= 0 {
		b.WriteByte('.')
	}
	b.WriteString(e.key)
}

// lookup returns where the field at path is, if it was recorded. A path
// recorded twice (a map key given twice) is where it was given last.
func (p *positions) lookup(path string) (Pos, bool) {
	if p == nil {
		return Pos{}, false
	}
	p.once.Do(func() {
		paths := make([]string, p.n)
		p.byPath = make(map[string]Pos, p.n)
		var b strings.Builder
		for i := range p.n {
			e := p.entry(i)
			b.Reset()
			if e.parent >= 0 {
				b.WriteString(paths[e.parent])
			}
			p.appendSeg(&b, e)
			paths[i] = b.String()
			p.byPath[paths[i]] = p.pos(i)
		}
	})
	pos, ok := p.byPath[path]
	return pos, ok
}
