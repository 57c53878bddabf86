// Prints, for every kind kubexpose writes, the JSON paths of the fields pulumi-kubernetes leaves out of what it
// applies when they are empty: its typed round trip goes through k8s.io/api's structs, whose encoder omits a
// non-pointer string, integer or boolean, a slice or a map tagged `omitempty` when it holds its zero value.
// e2e/test_provider_types.py builds it against the k8s.io/api version of the provider the suite runs.
package main

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
)

var marshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

func walk(t reflect.Type, path string, depth map[reflect.Type]int, out map[string]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) {
		return // a value with its own encoding (Quantity, IntOrString, Time): a leaf
	}
	switch t.Kind() {
	case reflect.Struct:
		if depth[t] > 0 {
			return
		}
		depth[t]++
		defer func() { depth[t]-- }()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if f.Anonymous && name == "" {
				walk(f.Type, path, depth, out)
				continue
			}
			if name == "" {
				name = f.Name
			}
			p := path + "." + name
			if strings.Contains(opts, "omitempty") {
				switch f.Type.Kind() {
				case reflect.String, reflect.Int, reflect.Int32, reflect.Int64, reflect.Bool, reflect.Slice, reflect.Map:
					out[p] = true
				}
			}
			walk(f.Type, p, depth, out)
		}
	case reflect.Slice:
		walk(t.Elem(), path+"[]", depth, out)
	case reflect.Map:
		walk(t.Elem(), path+"{}", depth, out)
	}
}

func main() {
	kinds := map[string]any{
		"Deployment":              appsv1.Deployment{},
		"StatefulSet":             appsv1.StatefulSet{},
		"Job":                     batchv1.Job{},
		"ConfigMap":               corev1.ConfigMap{},
		"Service":                 corev1.Service{},
		"ServiceAccount":          corev1.ServiceAccount{},
		"Secret":                  corev1.Secret{},
		"PodDisruptionBudget":     policyv1.PodDisruptionBudget{},
		"HorizontalPodAutoscaler": autoscalingv2.HorizontalPodAutoscaler{},
		"NetworkPolicy":           networkingv1.NetworkPolicy{},
		"Ingress":                 networkingv1.Ingress{},
		"EndpointSlice":           discoveryv1.EndpointSlice{},
	}
	result := map[string][]string{}
	for kind, value := range kinds {
		out := map[string]bool{}
		walk(reflect.TypeOf(value), "", map[reflect.Type]int{}, out)
		for p := range out {
			result[kind] = append(result[kind], p)
		}
		sort.Strings(result[kind])
	}
	if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
		panic(err)
	}
}
