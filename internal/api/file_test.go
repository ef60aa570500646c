package api

import "os"

var openFile = os.Open
