package schema

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseXML parses s as xmltodict.parse does with its defaults (version
// 1.0.2): the document is {root tag: content}; an element with neither
// attributes nor children is its text (stripped; null when empty), and
// otherwise an object of "@attribute" strings, child elements (a list when
// a tag repeats) and, if it has text, "#text". Names keep their namespace
// prefix ("ns:tag", "@xmlns:ns"); comments and processing instructions are
// dropped; a DTD declaring entities is refused. The document must be well
// formed, with one root element; errors are not expat's messages.
func ParseXML(s string) (any, error) { return parseXML(s, nil) }

func parseXML(s string, order ordering) (any, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	type frame struct {
		name  string
		item  map[string]any // nil until an attribute or a child is added
		data  []string
		start xml.StartElement
	}
	var stack []*frame
	var root map[string]any
	roots := 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if roots++; roots > 1 {
					return nil, &PyError{Name: "ExpatError", Message: "junk after document element"}
				}
			}
			if len(stack) >= maxDepth {
				return nil, &PyError{Name: "RecursionError", Message: "maximum recursion depth exceeded"}
			}
			f := &frame{name: qname(t.Name), start: t}
			for _, a := range t.Attr {
				if f.item == nil {
					f.item = map[string]any{}
				}
				k := "@" + qname(a.Name)
				if _, dup := f.item[k]; !dup {
					order.add(f.item, k)
				}
				f.item[k] = a.Value
			}
			stack = append(stack, f)
		case xml.EndElement:
			if len(stack) == 0 || qname(t.Name) != stack[len(stack)-1].name {
				return nil, &PyError{Name: "ExpatError", Message: "mismatched tag"}
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			var data any
			if text := strings.Join(f.data, ""); text != "" {
				if text = pyStripSpace(text); text != "" {
					data = text
				}
			}
			var value any = data
			if f.item != nil {
				if data != nil {
					pushData(f.item, "#text", data, order)
				}
				value = f.item
			}
			if len(stack) == 0 {
				root = map[string]any{f.name: value}
				order.add(root, f.name)
				continue
			}
			parent := stack[len(stack)-1]
			if parent.item == nil {
				parent.item = map[string]any{}
			}
			pushData(parent.item, f.name, value, order)
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimLeft(t, " \t\r\n")) > 0 {
					return nil, &PyError{Name: "ExpatError", Message: "syntax error"}
				}
				continue
			}
			f := stack[len(stack)-1]
			f.data = append(f.data, string(t))
		case xml.Directive:
			if bytes.Contains(t, []byte("<!ENTITY")) {
				return nil, &PyError{Name: "ValueError", Message: "entities are disabled"}
			}
		}
	}
	if len(stack) > 0 || roots == 0 {
		return nil, &PyError{Name: "ExpatError", Message: "no element found"}
	}
	return root, nil
}

// pushData adds a child or text to an element's object: a repeated name
// turns into a list (xmltodict's push_data).
func pushData(item map[string]any, key string, data any, order ordering) {
	old, ok := item[key]
	if !ok {
		order.add(item, key)
		item[key] = data
		return
	}
	if l, ok := old.([]any); ok {
		item[key] = append(l, data)
		return
	}
	item[key] = []any{old, data}
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func xmlError(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &PyError{Name: "ExpatError", Message: fmt.Sprintf("%s: line %d", se.Msg, se.Line)}
	}
	return &PyError{Name: "ExpatError", Message: err.Error()}
}

// pyStripSpace is Python's str.strip().
func pyStripSpace(s string) string { return strings.TrimFunc(s, pyIsSpace) }
