package traceqlfilter

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/latencylens/lens/pkg/model"
)

// Field is one name of a TraceQL metrics `by (…)` read off spans a store returned, so
// spans can be grouped here as Tempo groups them.
//
// Guarantees to the next stage: Label renders a value as Tempo renders that series
// label (and as pkg/stores/tempo parses it back), and says when the span lacks it, which
// Tempo leaves out of the series' labels.
type Field struct {
	o operand
}

// ParseField reads one group-by name: a span., resource. or unscoped (.) attribute, or
// the intrinsic name, status, kind, duration or statusMessage. Anything else is
// refused with an error quoting the name.
func ParseField(name string) (Field, error) {
	toks, err := lex(name)
	if err != nil {
		return Field{}, err
	}
	p := &parser{src: name, toks: toks}
	o, err := p.operand()
	if err != nil {
		return Field{}, err
	}
	if o.kind == kLiteral {
		return Field{}, fmt.Errorf("TraceQL %q: a value, not an attribute or intrinsic", name)
	}
	if !p.at(tEOF) {
		t := p.peek()
		return Field{}, fmt.Errorf("TraceQL %q: %q after the name is not part of an attribute or intrinsic", name, name[t.pos:])
	}
	return Field{o: o}, nil
}

// Attribute reports whether the field is an attribute (not an intrinsic) and its name
// without the scope.
func (f Field) Attribute() (name string, ok bool) {
	return f.o.name, f.o.kind == kAttr
}

// Unscoped returns the field read as an unscoped attribute (the span's, else the
// resource's), for answers that name attributes without their scope, as Tempo's search
// does. An intrinsic stays as it is.
func (f Field) Unscoped() Field {
	if f.o.kind == kAttr {
		f.o.scope = scopeNone
	}
	return f
}

// Label returns the field's value on s as Tempo renders it in a series label: strings
// as they are, integers in decimal, other numbers in Go's shortest form, booleans as
// true/false, durations as Go durations, status and kind by their TraceQL names. ok is
// false when s lacks the attribute; an intrinsic is always there. A list or map value
// is an error.
func (f Field) Label(s *model.Span) (label string, ok bool, err error) {
	if f.o.kind == kAttr {
		v, found := f.o.attr(s)
		if !found {
			return "", false, nil
		}
		label, err := renderLabel(f.o.text, v)
		return label, err == nil, err
	}
	v, err := f.o.value(s)
	if err != nil {
		return "", false, err
	}
	switch v.t {
	case typeDuration:
		return time.Duration(v.f).String(), true, nil
	case typeString, typeStatus, typeKind:
		return v.s, true, nil
	}
	return "", false, fmt.Errorf("intrinsic %s has no label form", f.o.text)
}

// renderLabel renders an attribute value as the store clients decode it.
func renderLabel(name string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case model.BigInt:
		return string(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		return renderNumber(x), nil
	case float32:
		return renderNumber(float64(x)), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case []any:
		return "", fmt.Errorf("attribute %s holds a list, which cannot be a group's label here", name)
	case map[string]any:
		return "", fmt.Errorf("attribute %s holds a map, which cannot be a group's label here", name)
	}
	return "", fmt.Errorf("attribute %s holds a value of type %T that cannot be a label", name, v)
}

// renderNumber writes a whole number within JSON's exact range in decimal (as an
// integer attribute reads) and anything else in Go's shortest form.
func renderNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
