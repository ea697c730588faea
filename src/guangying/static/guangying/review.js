// Reviewer's keyboard: space plays or pauses the work's video, ← and → go back or forward 5 s.
// Keys meant for something else are left alone: typing in the score form, a focused button,
// link or summary (space opens those), and the video itself once focused (its own controls
// already answer space, so answering too would undo it).
document.addEventListener("keydown", function (event) {
  var focused = document.activeElement;
  var tag = (focused && focused.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT", "BUTTON", "A", "SUMMARY", "VIDEO", "AUDIO"].indexOf(tag) >= 0) return;
  if (focused && focused.isContentEditable) return;
  var player = document.querySelector("video.player");
  if (!player || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === " ") {
    event.preventDefault();
    if (player.paused) { player.play(); } else { player.pause(); }
  } else if (event.key === "ArrowLeft") {
    event.preventDefault();
    player.currentTime = Math.max(0, player.currentTime - 5);
  } else if (event.key === "ArrowRight") {
    event.preventDefault();
    player.currentTime = Math.min(player.duration || 1e9, player.currentTime + 5);
  }
});
