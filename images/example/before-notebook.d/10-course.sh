# Sourced at server start (as the user): variables exported here reach the
# server and its kernels.
export COURSE_NAME="Course 101"
