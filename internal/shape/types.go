package shape

import "regexp"

// Kind is a shape's model type.
type Kind uint8

// The model's shape types. KindUnknown is never generated.
const (
	KindUnknown Kind = iota
	KindStructure
	KindUnion
	KindList
	KindMap
	KindString
	KindBlob
	KindBoolean
	KindByte
	KindShort
	KindInteger
	KindLong
	KindFloat
	KindDouble
	KindBigInteger
	KindBigDecimal
	KindTimestamp
	KindDocument
)

var kindNames = [...]string{
	KindUnknown:    "unknown",
	KindStructure:  "structure",
	KindUnion:      "union",
	KindList:       "list",
	KindMap:        "map",
	KindString:     "string",
	KindBlob:       "blob",
	KindBoolean:    "boolean",
	KindByte:       "byte",
	KindShort:      "short",
	KindInteger:    "integer",
	KindLong:       "long",
	KindFloat:      "float",
	KindDouble:     "double",
	KindBigInteger: "bigInteger",
	KindBigDecimal: "bigDecimal",
	KindTimestamp:  "timestamp",
	KindDocument:   "document",
}

// String is the model's name for the type.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return kindNames[KindUnknown]
}

// KindOf maps a model type name to its Kind (KindUnknown if there is none).
func KindOf(name string) Kind {
	for k, n := range kindNames {
		if n == name && k != int(KindUnknown) {
			return Kind(k)
		}
	}
	return KindUnknown
}

// Location tells where an input member travels on the wire.
const (
	LocationBody        = ""
	LocationURI         = "uri"
	LocationQueryString = "querystring"
	LocationHeader      = "header"
	LocationHeaders     = "headers"
	LocationStatusCode  = "statusCode"
)

// Member is one member of a structure.
type Member struct {
	Name             string
	Target           string // target shape name
	Location         string // one of the Location constants
	LocationName     string // wire name for non-body locations
	Required         bool
	IdempotencyToken bool

	shape *Shape
}

// Shape is one shape of the model with its constraints.
type Shape struct {
	Name      string
	Kind      Kind
	Members   []Member // structure and union, in model order
	Member    string   // list element shape
	Key       string   // map key shape
	Value     string   // map value shape
	HasMin    bool
	Min       int64 // length (strings, blobs, lists, maps) or value (numbers)
	HasMax    bool
	Max       int64
	Pattern   string // Smithy pattern: not anchored
	Enum      []string
	Sensitive bool

	// Error shapes only.
	Exception   bool
	ErrorStatus int  // httpStatusCode
	Fault       bool // server fault rather than sender fault
	Retryable   bool
	Throttling  bool

	// Resolved once at init so validation never looks names up.
	member, key, value *Shape
	re                 *regexp.Regexp
	enumSet            map[string]struct{}
	memberIndex        map[string]int
	msgMin, msgMax     string
	msgPattern         string
	msgEnum            string
}

// LookupMember returns the structure member called name, or nil.
func (s *Shape) LookupMember(name string) *Member {
	if i, ok := s.memberIndex[name]; ok {
		return &s.Members[i]
	}
	return nil
}

// Operation is one API operation.
type Operation struct {
	Name, Method, URI string
	SuccessStatus     int
	Input, Output     string
	Errors            []string // error shape names
	Idempotent        bool
	ReadOnly          bool

	input *Shape
	segs  []segment // parsed URI template, path part only
	// labels lists the input's uri members, query its querystring members,
	// bound every member not in the body.
	labels, query, bound []*Member
}

// InputShape returns the operation's input shape (nil if it has none).
func (o *Operation) InputShape() *Shape { return o.input }

// ServiceInfo is the model's service metadata.
type ServiceInfo struct {
	APIVersion     string
	EndpointPrefix string
	Protocol       string
	ServiceID      string
	SigningName    string
	FullName       string
}
