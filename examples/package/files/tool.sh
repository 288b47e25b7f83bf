#!/bin/sh
echo "${GREETING:-hi} from the strata example tool $*"
