package api

import (
	"slices"

	"github.com/sird-project/sird/internal/shape"
)

var regions = shape.LookupShape("AwsRegion").Enum

// ValidRegion reports whether a SigV4 credential scope names a region of the
// model's AwsRegion enum.
func ValidRegion(region string) bool { return slices.Contains(regions, region) }
