package compile

import "testing"

func TestEvalWhen(t *testing.T) {
	tests := []struct {
		when    string
		want    bool
		wantErr bool
	}{
		{"", true, false},
		{"heads == heads", true, false},
		{"heads == tails", false, false},
		{`"heads" == "heads"`, true, false},
		{"7 > 5", true, false},
		{"7 < 5", false, false},
		{"hello =~ 'h.*o'", true, false},
		{"true && false", false, false},
		{"a == a || b == c", true, false},
		{"1 +", false, true},
		{"5", false, true},
	}
	for _, tt := range tests {
		got, err := EvalWhen(tt.when)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("EvalWhen(%q) = %v, %v; want %v, error %v", tt.when, got, err, tt.want, tt.wantErr)
		}
	}
}
