// A Go function for provided.al2023, speaking the Lambda Runtime API with the standard library.
// With github.com/aws/aws-lambda-go in your module cache, `lambda.Start(handler)` does the same.
package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
)

type request struct {
	PathParameters map[string]string `json:"pathParameters"`
}

type response struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

func handle(event request, requestID string) response {
	name := event.PathParameters["name"]
	if name == "" {
		name = "world"
	}
	log.Printf("greeting %s", name)
	body, _ := json.Marshal(map[string]string{"message": "Hello, " + name + "!", "requestId": requestID})
	return response{StatusCode: 200, Headers: map[string]string{"content-type": "application/json"}, Body: string(body)}
}

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		next, err := http.Get(api + "next")
		if err != nil {
			log.Fatal(err)
		}
		payload, _ := io.ReadAll(next.Body)
		next.Body.Close()
		requestID := next.Header.Get("Lambda-Runtime-Aws-Request-Id")
		var event request
		if err := json.Unmarshal(payload, &event); err != nil {
			errBody, _ := json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": "Runtime.UnmarshalError"})
			http.Post(api+requestID+"/error", "application/json", bytes.NewReader(errBody))
			continue
		}
		out, _ := json.Marshal(handle(event, requestID))
		res, err := http.Post(api+requestID+"/response", "application/json", bytes.NewReader(out))
		if err != nil {
			log.Fatal(err)
		}
		res.Body.Close()
	}
}
