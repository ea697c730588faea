// Reviewer's keyboard: space plays or pauses the work's video, ← and → go back or forward 5 s.
// Keys typed into the score form are left alone.
document.addEventListener("keydown", function (event) {
  var tag = (document.activeElement && document.activeElement.tagName) || "";
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || tag === "BUTTON") return;
  var player = document.querySelector("video.player");
  if (!player || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === " ") {
    event.preventDefault();
    if (player.paused) { player.play(); } else { player.pause(); }
  } else if (event.key === "ArrowLeft") {
    player.currentTime = Math.max(0, player.currentTime - 5);
  } else if (event.key === "ArrowRight") {
    player.currentTime = Math.min(player.duration || 1e9, player.currentTime + 5);
  }
});
