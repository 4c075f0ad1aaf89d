package markdown

import (
	"strconv"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// a11yRenderer renders the nodes whose default HTML fails accessibility
// checks: task-list checkboxes get a label, and tables are wrapped in a
// focusable, labelled region so a keyboard can scroll a wide one.
type a11yRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (a11yRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(east.KindTaskCheckBox, renderTaskCheckBox)
	reg.Register(east.KindTable, renderTableWrap)
}

func renderTaskCheckBox(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	if n.(*east.TaskCheckBox).IsChecked {
		w.WriteString(`<input type="checkbox" checked disabled aria-label="done"> `)
	} else {
		w.WriteString(`<input type="checkbox" disabled aria-label="not done"> `)
	}
	return ast.WalkContinue, nil
}

func renderTableWrap(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString(`<section class="table-wrap" tabindex="0" aria-label="Table ` + strconv.Itoa(tableNumber(n)) + `">` + "\n<table>\n")
	} else {
		w.WriteString("</table>\n</section>\n")
	}
	return ast.WalkContinue, nil
}

// tableNumber is the 1-based position of table n among the document's
// tables, so each table's region has a unique label.
func tableNumber(n ast.Node) int {
	root := n
	for root.Parent() != nil {
		root = root.Parent()
	}
	count := 0
	ast.Walk(root, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || c.Kind() != east.KindTable {
			return ast.WalkContinue, nil
		}
		count++
		if c == n {
			return ast.WalkStop, nil
		}
		return ast.WalkSkipChildren, nil
	})
	return count
}
