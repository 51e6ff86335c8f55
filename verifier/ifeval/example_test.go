package ifeval_test

import (
	"fmt"

	"github.com/gymkit/gym/verifier/ifeval"
)

func Example() {
	in, err := ifeval.New("length_constraints:number_words", map[string]any{"num_words": 5, "relation": "at least"})
	if err != nil {
		panic(err)
	}
	for _, response := range []string{"Too short.", "This answer has six words."} {
		ok, _ := in.Check(response)
		fmt.Println(ok)
	}
	// Output:
	// false
	// true
}

func ExampleNew_badArguments() {
	_, err := ifeval.New("keywords:frequency", map[string]any{"keyword": "tea", "frequency": 2, "relation": "at most"})
	fmt.Println(err)
	_, err = ifeval.New("keywords:frequency", map[string]any{"keyword": "tea", "frequency": 2})
	fmt.Println(err)
	// Output:
	// ifeval: keywords:frequency: argument "relation": the supported relation for comparison must be in ('less than', 'at least'), but at most is given
	// ifeval: keywords:frequency: argument "relation": not set (verifiable_instructions would draw it at random)
}

func ExampleWordTokenize() {
	fmt.Printf("%q\n", ifeval.WordTokenize("I can't go. It's late!"))
	// Output:
	// ["I" "ca" "n't" "go" "." "It" "'s" "late" "!"]
}
