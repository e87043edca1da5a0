#!/bin/sh
# Builds the images the manifests name (app/ holds the project and the packages it runs with), then push them
# where your cluster pulls from and set that name in kustomization.yaml (kustomize edit set image).
set -e
cd "$(dirname "$0")"
docker build --build-arg BASE_IMAGE=micro-dev/node:24 -t greeter-app:latest app
