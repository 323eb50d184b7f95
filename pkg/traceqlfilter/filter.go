// Package traceqlfilter evaluates a TraceQL span selector on spans a store returned, for
// trace stores that cannot run TraceQL themselves (Jaeger). It takes only the part of
// TraceQL it can evaluate exactly as Tempo does and refuses the rest with an error that
// quotes the unsupported part.
//
// Supported: one selector `{ … }` of comparisons (=, !=, >, >=, <, <=, =~, !~) between
// span., resource. or unscoped (.) attributes, the intrinsics name, status, kind,
// duration and statusMessage (also as span:name …) and literals (strings, numbers,
// durations, true/false, status and kind values), joined by && and || with
// parentheses, and `!= nil` for an attribute's presence. As in Tempo: regexes are fully
// anchored; a comparison whose sides have different types is false, as is one on an
// attribute the span lacks (`span.a != "x"` too); an unscoped attribute is the span's,
// else the resource's.
//
// Guarantees to the next stage: a Filter from Parse fails on a span only when a
// condition reaches an attribute holding a list or a map, which it reports rather than
// guess how Tempo would compare it.
package traceqlfilter

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/model"
)

// Supported names what Parse accepts, for error messages.
const Supported = "comparisons (=, !=, >, >=, <, <=, =~, !~) of span., resource. and . attributes, name, status, kind, duration and statusMessage, joined by &&, || and parentheses"

// Filter is a parsed span selector.
type Filter struct {
	root node // nil: `{}`, every span
}

// Parse reads a span selector `{ … }`.
func Parse(selector string) (*Filter, error) {
	toks, err := lex(selector)
	if err != nil {
		return nil, err
	}
	p := &parser{src: selector, toks: toks}
	if !p.accept(tLBrace) {
		return nil, p.errAt(p.peek(), "a span selector starts with `{`")
	}
	f := &Filter{}
	if !p.at(tRBrace) {
		if f.root, err = p.or(); err != nil {
			return nil, err
		}
	}
	if !p.accept(tRBrace) {
		return nil, p.errAt(p.peek(), "expected `}`, `&&` or `||`")
	}
	if !p.at(tEOF) {
		t := p.peek()
		return nil, fmt.Errorf("TraceQL %q: %q after the span selector is not supported: only one selector `{ … }` can be evaluated here (no pipelines, structural or spanset operators)", selector, selector[t.pos:])
	}
	return f, nil
}

// Match reports whether the span satisfies the selector.
func (f *Filter) Match(s *model.Span) (bool, error) {
	if f == nil || f.root == nil {
		return true, nil
	}
	return f.root.eval(s)
}

// EqualString returns the string a top-level `field = "…"` condition (one joined to the
// rest by && only) requires of every matching span; field is an attribute as written
// (`resource.service.name`) or an intrinsic (`name`).
func (f *Filter) EqualString(field string) (string, bool) {
	if f == nil {
		return "", false
	}
	var walk func(n node) (string, bool)
	walk = func(n node) (string, bool) {
		switch n := n.(type) {
		case *logical:
			if n.and {
				if v, ok := walk(n.l); ok {
					return v, true
				}
				return walk(n.r)
			}
		case *comparison:
			if n.op != opEq {
				return "", false
			}
			for _, sides := range [][2]operand{{n.l, n.r}, {n.r, n.l}} {
				if sides[0].field() == field && sides[1].kind == kLiteral && sides[1].lit.t == typeString {
					return sides[1].lit.s, true
				}
			}
		}
		return "", false
	}
	return walk(f.root)
}

// node is a condition.
type node interface {
	eval(s *model.Span) (bool, error)
}

type logical struct {
	and  bool
	l, r node
}

func (n *logical) eval(s *model.Span) (bool, error) {
	l, err := n.l.eval(s)
	if err != nil {
		return false, err
	}
	if l != n.and { // true || …, false && …
		return l, nil
	}
	return n.r.eval(s)
}

type op int

const (
	opNone op = iota // a lone boolean operand
	opEq
	opNe
	opGt
	opGe
	opLt
	opLe
	opRe
	opNre
	opExists // `!= nil`
)

var opNames = map[string]op{"=": opEq, "!=": opNe, ">": opGt, ">=": opGe, "<": opLt, "<=": opLe, "=~": opRe, "!~": opNre}

type comparison struct {
	op   op
	l, r operand
	re   *regexp.Regexp // opRe, opNre
}

func (c *comparison) eval(s *model.Span) (bool, error) {
	l, err := c.l.value(s)
	if err != nil {
		return false, err
	}
	switch c.op {
	case opNone:
		return l.t == typeBool && l.b, nil
	case opExists:
		return l.t != typeNil, nil
	}
	if c.re != nil {
		if l.t != typeString {
			return false, nil
		}
		return c.re.MatchString(l.s) == (c.op == opRe), nil
	}
	r, err := c.r.value(s)
	if err != nil {
		return false, err
	}
	return compare(c.op, l, r), nil
}

// compare applies a comparison to two values: false when either is missing or their
// types do not go together (numbers and durations do).
func compare(o op, l, r value) bool {
	switch {
	case l.t == typeNil || r.t == typeNil:
		return false
	case l.t == typeInt && r.t == typeInt && l.exact && r.exact:
		return ordered(o, cmpInt(l.i, r.i))
	case l.numeric() && r.numeric():
		return ordered(o, cmpFloat(l.f, r.f))
	case l.t != r.t:
		return false
	case l.t == typeString:
		return ordered(o, strings.Compare(l.s, r.s))
	case l.t == typeBool:
		switch o {
		case opEq:
			return l.b == r.b
		case opNe:
			return l.b != r.b
		}
		return false
	default: // status, kind
		switch o {
		case opEq:
			return l.s == r.s
		case opNe:
			return l.s != r.s
		}
		return false
	}
}

// cmpInt is -1, 0 or 1.
func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat is -1, 0 or 1; 2 when either is NaN (every comparison false but !=).
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return 2
}

func ordered(o op, c int) bool {
	switch o {
	case opEq:
		return c == 0
	case opNe:
		return c != 0
	case opGt:
		return c == 1
	case opGe:
		return c == 1 || c == 0
	case opLt:
		return c == -1
	case opLe:
		return c == -1 || c == 0
	}
	return false
}

// Value types (Tempo's static types that spans can hold here).
type vtype int

const (
	typeNil vtype = iota
	typeString
	typeInt
	typeFloat
	typeBool
	typeDuration
	typeStatus
	typeKind
)

func (t vtype) String() string {
	return [...]string{"nil", "string", "int", "float", "bool", "duration", "status", "kind"}[t]
}

type value struct {
	t vtype
	s string  // string, status, kind
	f float64 // int, float, duration (ns)
	b bool
	// i is an int's exact value when exact (an int64 attribute, a BigInt, an integer
	// literal): two exact ints compare as integers, as Tempo compares them, where float64
	// would lose the low digits beyond 2^53.
	i     int64
	exact bool
}

// exactInt is an int value held exactly.
func exactInt(n int64) value { return value{t: typeInt, f: float64(n), i: n, exact: true} }

func (v value) numeric() bool { return v.t == typeInt || v.t == typeFloat || v.t == typeDuration }

// operand kinds.
type okind int

const (
	kLiteral okind = iota
	kAttr
	kIntrinsic
)

// Attribute scopes.
const (
	scopeNone = iota // `.name`: the span's, else the resource's
	scopeSpan
	scopeResource
)

type operand struct {
	kind  okind
	lit   value
	scope int
	name  string // attribute name, or intrinsic
	text  string // as written
}

// field is the operand as EqualString names it.
func (o operand) field() string {
	switch o.kind {
	case kIntrinsic:
		return o.name
	case kAttr:
		return [...]string{".", "span.", "resource."}[o.scope] + o.name
	}
	return ""
}

// staticType is the type known before looking at a span (typeNil: an attribute's,
// known only then).
func (o operand) staticType() (vtype, bool) {
	switch o.kind {
	case kLiteral:
		return o.lit.t, true
	case kIntrinsic:
		switch o.name {
		case "duration":
			return typeDuration, true
		case "status":
			return typeStatus, true
		case "kind":
			return typeKind, true
		}
		return typeString, true
	}
	return typeNil, false
}

func (o operand) value(s *model.Span) (value, error) {
	switch o.kind {
	case kLiteral:
		return o.lit, nil
	case kIntrinsic:
		switch o.name {
		case "name":
			return value{t: typeString, s: s.Operation}, nil
		case "statusMessage":
			return value{t: typeString, s: s.StatusMessage}, nil
		case "duration":
			return value{t: typeDuration, f: float64(s.DurationNano)}, nil
		case "status":
			return value{t: typeStatus, s: statusName(s.StatusCode)}, nil
		case "kind":
			k := s.Kind
			if k == "" {
				k = "unspecified"
			}
			return value{t: typeKind, s: k}, nil
		}
	}
	v, found := o.attr(s)
	if !found {
		return value{}, nil
	}
	return attrValue(o.text, v)
}

// attr looks an attribute operand up on s as written: the span's attributes, the
// resource's, or (unscoped) the span's and else the resource's.
func (o operand) attr(s *model.Span) (any, bool) {
	var v any
	var found bool
	if o.scope != scopeResource {
		v, found = lookup(s.Tags, o.name)
	}
	if !found && o.scope != scopeSpan {
		if o.name == "service.name" {
			v, found = s.Service, s.Service != ""
		} else {
			v, found = lookup(s.ServiceTags, o.name)
		}
	}
	return v, found && v != nil
}

func lookup(kvs []model.KeyValue, key string) (any, bool) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

func statusName(code int64) string {
	switch code {
	case model.StatusError:
		return "error"
	case model.StatusOK:
		return "ok"
	}
	return "unset"
}

// attrValue types an attribute value as the store clients decode it.
func attrValue(name string, v any) (value, error) {
	switch x := v.(type) {
	case nil:
		return value{}, nil
	case string:
		return value{t: typeString, s: x}, nil
	case model.BigInt:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return value{}, fmt.Errorf("attribute %s: integer %q does not fit in 64 bits", name, string(x))
		}
		return exactInt(n), nil
	case bool:
		return value{t: typeBool, b: x}, nil
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return value{t: typeInt, f: x}, nil
		}
		return value{t: typeFloat, f: x}, nil
	case float32:
		return value{t: typeFloat, f: float64(x)}, nil
	case int64:
		return exactInt(x), nil
	case int:
		return exactInt(int64(x)), nil
	case int32:
		return exactInt(int64(x)), nil
	case []any:
		return value{}, fmt.Errorf("attribute %s holds a list; conditions on list attributes cannot be evaluated on these spans", name)
	case map[string]any:
		return value{}, fmt.Errorf("attribute %s holds a map; conditions on map attributes cannot be evaluated on these spans", name)
	}
	return value{}, fmt.Errorf("attribute %s holds a value of type %T that cannot be compared", name, v)
}

// statusValues and kindValues are TraceQL's enum literals.
var (
	statusValues = map[string]bool{"error": true, "ok": true, "unset": true}
	kindValues   = map[string]bool{"unspecified": true, "internal": true, "client": true, "server": true, "producer": true, "consumer": true}
	// otherIntrinsics are TraceQL intrinsics of traces, events, links or the span tree,
	// which the spans here do not carry.
	otherIntrinsics = map[string]bool{
		"rootName": true, "rootServiceName": true, "traceDuration": true, "nestedSetLeft": true,
		"nestedSetRight": true, "nestedSetParent": true, "childCount": true, "parent": true,
	}
	// intrinsics maps the supported intrinsics, plain and span-scoped, to their name.
	intrinsics = map[string]string{
		"name": "name", "status": "status", "kind": "kind", "duration": "duration", "statusMessage": "statusMessage",
		"span:name": "name", "span:status": "status", "span:kind": "kind", "span:duration": "duration", "span:statusMessage": "statusMessage",
	}
)

// ---- lexer ----

type tkind int

const (
	tEOF tkind = iota
	tLBrace
	tRBrace
	tLParen
	tRParen
	tAnd
	tOr
	tOp
	tString
	tNumber
	tDuration
	tWord // identifiers, attributes, keywords
	tOther
)

type token struct {
	k     tkind
	text  string // as written
	pos   int
	s     string  // string literal value
	f     float64 // number or duration (ns)
	isInt bool
}

// wordStop are the bytes that end an attribute or keyword.
const wordStop = " \t\r\n{}()=!<>&|~\"`,+*/%^"

func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
			continue
		case strings.IndexByte("{}()", c) >= 0:
			k := [...]tkind{tLBrace, tRBrace, tLParen, tRParen}[strings.IndexByte("{}()", c)]
			out = append(out, token{k: k, text: src[i : i+1], pos: i})
			i++
			continue
		case strings.HasPrefix(src[i:], "&&"):
			out = append(out, token{k: tAnd, text: "&&", pos: i})
			i += 2
			continue
		case strings.HasPrefix(src[i:], "||"):
			out = append(out, token{k: tOr, text: "||", pos: i})
			i += 2
			continue
		case c == '"' || c == '`':
			t, n, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
			i += n
			continue
		}
		if o := opAt(src[i:]); o != "" {
			out = append(out, token{k: tOp, text: o, pos: i})
			i += len(o)
			continue
		}
		if c >= '0' && c <= '9' || (c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9') {
			t, n, err := lexNumber(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
			i += n
			continue
		}
		if strings.IndexByte(wordStop, c) < 0 {
			j := i
			for j < len(src) && strings.IndexByte(wordStop, src[j]) < 0 {
				j++
			}
			// span."name with spaces": a quoted attribute name after the scope's dot.
			if j < len(src) && src[j] == '"' && strings.HasSuffix(src[i:j], ".") {
				t, n, err := lexString(src, j)
				if err != nil {
					return nil, err
				}
				out = append(out, token{k: tWord, text: src[i : j+n], pos: i, s: src[i:j] + t.s})
				i = j + n
				continue
			}
			out = append(out, token{k: tWord, text: src[i:j], pos: i, s: src[i:j]})
			i = j
			continue
		}
		// Anything else (`!`, `|`, `~`, arithmetic, `,` …) is a token the parser refuses.
		out = append(out, token{k: tOther, text: src[i : i+1], pos: i})
		i++
	}
	return append(out, token{k: tEOF, pos: len(src)}), nil
}

// opAt returns the comparison operator s starts with, "" if none.
func opAt(s string) string {
	for _, o := range []string{"!=", ">=", "<=", "=~", "!~", "=", ">", "<"} {
		if strings.HasPrefix(s, o) {
			return o
		}
	}
	return ""
}

func lexString(src string, i int) (token, int, error) {
	if src[i] == '`' {
		end := strings.IndexByte(src[i+1:], '`')
		if end < 0 {
			return token{}, 0, fmt.Errorf("TraceQL %q: the string at offset %d does not end", src, i)
		}
		return token{k: tString, text: src[i : i+end+2], pos: i, s: src[i+1 : i+1+end]}, end + 2, nil
	}
	lit, err := strconv.QuotedPrefix(src[i:])
	if err != nil {
		return token{}, 0, fmt.Errorf("TraceQL %q: the string at offset %d does not end or has a bad escape", src, i)
	}
	s, err := strconv.Unquote(lit)
	if err != nil {
		return token{}, 0, fmt.Errorf("TraceQL %q: the string at offset %d has a bad escape", src, i)
	}
	return token{k: tString, text: lit, pos: i, s: s}, len(lit), nil
}

// durationRE is a TraceQL duration literal: numbers each with a unit.
var durationRE = regexp.MustCompile(`^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|ms|s|m|h)(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|ms|s|m|h))*`)

var numberRE = regexp.MustCompile(`^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?`)

func lexNumber(src string, i int) (token, int, error) {
	rest := src[i:]
	end := i
	for end < len(src) && strings.IndexByte(wordStop, src[end]) < 0 {
		end++
	}
	word := src[i:end]
	if d := durationRE.FindString(rest); d != "" && d == word {
		v, err := time.ParseDuration(d)
		if err != nil {
			return token{}, 0, fmt.Errorf("TraceQL %q: duration %q is out of range", src, d)
		}
		return token{k: tDuration, text: d, pos: i, f: float64(v)}, len(d), nil
	}
	n := numberRE.FindString(rest)
	if n == "" || n != word {
		return token{}, 0, fmt.Errorf("TraceQL %q: %q at offset %d is not a number or a duration", src, word, i)
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return token{}, 0, fmt.Errorf("TraceQL %q: number %q is out of range", src, n)
	}
	return token{k: tNumber, text: n, pos: i, f: f, isInt: !strings.ContainsAny(n, ".eE")}, len(n), nil
}

// ---- parser ----

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token     { return p.toks[p.i] }
func (p *parser) at(k tkind) bool { return p.toks[p.i].k == k }

func (p *parser) accept(k tkind) bool {
	if p.at(k) {
		p.i++
		return true
	}
	return false
}

func (p *parser) errAt(t token, format string, args ...any) error {
	near := "the end"
	if t.k != tEOF {
		near = fmt.Sprintf("%q", t.text)
	}
	return fmt.Errorf("TraceQL %q: at %s (offset %d): %s", p.src, near, t.pos, fmt.Sprintf(format, args...))
}

// unsupported is the error for TraceQL this package does not evaluate.
func (p *parser) unsupported(t token, what string) error {
	return fmt.Errorf("TraceQL %q: %s (%q at offset %d) is not supported here; supported are %s", p.src, what, t.text, t.pos, Supported)
}

// or reads conditions joined by && and ||, which TraceQL gives the same precedence and
// groups from the left (Tempo's grammar: `%left AND OR`): `a || b && c` is
// `(a || b) && c`.
func (p *parser) or() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.at(tAnd) || p.at(tOr) {
		and := p.accept(tAnd)
		if !and {
			p.accept(tOr)
		}
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &logical{and: and, l: l, r: r}
	}
	return l, nil
}

func (p *parser) unary() (node, error) {
	if p.accept(tLParen) {
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.accept(tRParen) {
			return nil, p.errAt(p.peek(), "expected `)`")
		}
		if t := p.peek(); t.k == tOp {
			return nil, p.unsupported(t, "comparing a parenthesised expression")
		}
		return n, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (node, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.k != tOp {
		switch t.k {
		case tAnd, tOr, tRParen, tRBrace:
		case tOther:
			if strings.Contains("+*/%^", t.text) {
				return nil, p.unsupported(t, "arithmetic")
			}
			return nil, p.unsupported(t, "this operator")
		default:
			return nil, p.errAt(t, "expected a comparison operator, `&&`, `||` or `}`")
		}
		// A lone operand is a condition when it can be a boolean.
		if st, known := l.staticType(); known && st != typeBool {
			return nil, p.errAt(t, "%q is a %s, not a condition", l.text, st)
		}
		return &comparison{op: opNone, l: l}, nil
	}
	p.i++
	o := opNames[t.text]
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	if nt := p.peek(); nt.k == tOp || nt.k == tOther {
		return nil, p.unsupported(nt, "chained or arithmetic operators")
	}
	c := &comparison{op: o, l: l, r: r}
	lt, lknown := l.staticType()
	rt, rknown := r.staticType()
	// nil: only `attr != nil` (presence) has one meaning everywhere in Tempo.
	if (lknown && lt == typeNil) || (rknown && rt == typeNil) {
		attr := l
		if lknown && lt == typeNil {
			attr = r
		}
		if o != opNe || attr.kind != kAttr {
			return nil, p.unsupported(t, "comparing with nil other than `attribute != nil`")
		}
		return &comparison{op: opExists, l: attr}, nil
	}
	if o == opRe || o == opNre {
		if r.kind != kLiteral || r.lit.t != typeString {
			return nil, p.errAt(t, "%s needs a string regex on its right", t.text)
		}
		if lknown && lt != typeString {
			return nil, p.errAt(t, "%q is a %s; %s applies to strings", l.text, lt, t.text)
		}
		re, err := regexp.Compile("^(?s:" + r.lit.s + ")$")
		if err != nil {
			return nil, p.errAt(t, "regex %q: %v", r.lit.s, err)
		}
		c.re = re
		return c, nil
	}
	if lknown && rknown {
		numeric := func(t vtype) bool { return t == typeInt || t == typeFloat || t == typeDuration }
		if lt != rt && !(numeric(lt) && numeric(rt)) {
			return nil, p.errAt(t, "%q is a %s and %q a %s: they cannot be compared", l.text, lt, r.text, rt)
		}
	}
	for _, side := range []struct {
		t     vtype
		known bool
	}{{lt, lknown}, {rt, rknown}} {
		if side.known && (side.t == typeBool || side.t == typeStatus || side.t == typeKind) && o != opEq && o != opNe {
			return nil, p.errAt(t, "a %s can only be compared with = or !=", side.t)
		}
	}
	return c, nil
}

func (p *parser) operand() (operand, error) {
	t := p.peek()
	switch t.k {
	case tString:
		p.i++
		return operand{kind: kLiteral, lit: value{t: typeString, s: t.s}, text: t.text}, nil
	case tNumber, tDuration:
		p.i++
		return numberOperand(t, false), nil
	case tWord:
		p.i++
		w := t.s
		if strings.HasPrefix(w, "-") {
			// A negative literal: `-` then a number or duration (the lexer keeps `-5` whole).
			if w == "-" && (p.at(tNumber) || p.at(tDuration)) {
				n := p.peek()
				p.i++
				return numberOperand(n, true), nil
			}
			if len(w) > 1 {
				if nt, _, err := lexNumber(w[1:], 0); err == nil {
					return numberOperand(nt, true), nil
				}
			}
			return operand{}, p.unsupported(t, "arithmetic")
		}
		switch {
		case w == "true" || w == "false":
			return operand{kind: kLiteral, lit: value{t: typeBool, b: w == "true"}, text: t.text}, nil
		case w == "nil":
			return operand{kind: kLiteral, lit: value{t: typeNil}, text: t.text}, nil
		case statusValues[w]:
			return operand{kind: kLiteral, lit: value{t: typeStatus, s: w}, text: t.text}, nil
		case kindValues[w]:
			return operand{kind: kLiteral, lit: value{t: typeKind, s: w}, text: t.text}, nil
		case intrinsics[w] != "":
			return operand{kind: kIntrinsic, name: intrinsics[w], text: t.text}, nil
		case strings.HasPrefix(w, "span.") && len(w) > len("span."):
			return operand{kind: kAttr, scope: scopeSpan, name: w[len("span."):], text: t.text}, nil
		case strings.HasPrefix(w, "resource.") && len(w) > len("resource."):
			return operand{kind: kAttr, scope: scopeResource, name: w[len("resource."):], text: t.text}, nil
		case strings.HasPrefix(w, ".") && len(w) > 1:
			return operand{kind: kAttr, scope: scopeNone, name: w[1:], text: t.text}, nil
		case strings.Contains(w, ":") || otherIntrinsics[w]:
			return operand{}, p.unsupported(t, "this intrinsic")
		case strings.Contains(w, "."):
			return operand{}, p.unsupported(t, "this attribute scope")
		}
		return operand{}, p.unsupported(t, "this name")
	case tOther:
		what := "this operator"
		if t.text == "!" {
			what = "negation with `!`"
		}
		return operand{}, p.unsupported(t, what)
	case tLParen:
		return operand{}, p.unsupported(t, "a parenthesised operand")
	}
	return operand{}, p.errAt(t, "expected an attribute, an intrinsic or a value")
}

func numberOperand(t token, neg bool) operand {
	v := value{t: typeFloat, f: t.f}
	switch {
	case t.k == tDuration:
		v.t = typeDuration
	case t.isInt:
		v.t = typeInt
		if n, err := strconv.ParseInt(t.text, 10, 64); err == nil {
			v.i, v.exact = n, true
		}
	}
	text := t.text
	if neg {
		v.f, v.i, text = -v.f, -v.i, "-"+text
	}
	return operand{kind: kLiteral, lit: v, text: text}
}
