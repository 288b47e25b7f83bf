#!/bin/bash
set -ex
echo "I am" > /nobody-out/out
id -nu >> /nobody-out/out
id -ng >> /nobody-out/out
