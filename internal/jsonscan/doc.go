// Package jsonscan walks JSON that is known to be valid (a row or an item
// already parsed once) without decoding it into Go values: the members of
// an object, the elements of an array, the value of a string. Verifiers
// read a few fields of large rows with it, many thousand times a second,
// where encoding/json would validate and allocate each time.
//
// Input that is not valid JSON gives an error or a wrong walk, never a
// panic.
package jsonscan
