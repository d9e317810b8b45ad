package fastjson

import "github.com/sird-project/sird"

// Encoders shared by the case document (sqlstore) and the GetCase
// response (api), which hold the same element types.

// AppendList appends vs as a JSON array, or null for a nil slice, as
// json.Marshal does.
func AppendList[T any](b []byte, vs []T, elem func([]byte, T) []byte) []byte {
	if vs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, v)
	}
	return append(b, ']')
}

func AppendImpactedRegion(b []byte, v sird.ImpactedRegion) []byte {
	b = append(b, `{"region":`...)
	b = AppendString(b, v.Region)
	return append(b, '}')
}

func AppendThreatActorIP(b []byte, v sird.ThreatActorIP) []byte {
	b = append(b, `{"ipAddress":`...)
	b = AppendString(b, v.IPAddress)
	if v.UserAgent != "" {
		b = append(b, `,"userAgent":`...)
		b = AppendString(b, v.UserAgent)
	}
	return append(b, '}')
}

func AppendWatcher(b []byte, v sird.Watcher) []byte {
	b = append(b, `{"email":`...)
	b = AppendString(b, v.Email)
	if v.Name != "" {
		b = append(b, `,"name":`...)
		b = AppendString(b, v.Name)
	}
	if v.JobTitle != "" {
		b = append(b, `,"jobTitle":`...)
		b = AppendString(b, v.JobTitle)
	}
	return append(b, '}')
}

func AppendMetadataEntry(b []byte, v sird.MetadataEntry) []byte {
	b = append(b, `{"key":`...)
	b = AppendString(b, v.Key)
	b = append(b, `,"value":`...)
	b = AppendString(b, v.Value)
	return append(b, '}')
}
