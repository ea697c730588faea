"""Expert review: assigning works to reviewers and aggregating their scores, as plain Python."""
