// The contact sheet's time buttons move the player there and give it the keyboard.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.seek");
  if (!button) return;
  var player = document.getElementById(button.dataset.player);
  if (!player) return;
  player.currentTime = parseFloat(button.dataset.seek);
  player.focus();
});
