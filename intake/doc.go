// Package intake validates and normalises everything officers type into the
// bot: free text, household heads' names, addresses, Vietnamese phone numbers,
// procedure names and the one-line /baocao report.
//
// Every function is pure (no I/O, no clock, no global mutable state) and safe
// for concurrent use. Validation failures are returned as *FieldError or
// *AmbiguousError whose messages are complete Vietnamese sentences meant to be
// shown to the officer as they are. Messages never repeat a whole name, address
// or phone number, so an error that ends up in a log does not leak personal
// data; at most they quote a single offending character or a procedure token.
package intake
