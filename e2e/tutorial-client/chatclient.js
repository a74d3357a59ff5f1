// A JavaScript chat/video client in the structure of MDN's tutorial "Signaling and video
// calling": the same global variables (declared with `var`, so they live on `window`) and the
// same function names, written for this project's tests. Functions call each other by their
// global names, so a page can replace any of them (window.invite = ...) one at a time.
//
// Test hooks (not in the tutorial): `?signal=ws://...` picks the signaling server (default: the
// page's host on port 6503, as the tutorial), `?ice=<JSON array>` the ICE servers (default:
// the tutorial's TURN server on the page's host).
"use strict";

var myHostname = window.location.hostname || "localhost";
var connection = null;
var clientID = 0;
var mediaConstraints = { audio: true, video: true };
var myUsername = null;
var targetUsername = null;
var myPeerConnection = null;
var transceiver = null;
var webcamStream = null;

var pageParams = new URLSearchParams(window.location.search);

function log(text) {
  var time = new Date();
  console.log("[" + time.toLocaleTimeString() + "] " + text);
}

function log_error(text) {
  var time = new Date();
  console.trace("[" + time.toLocaleTimeString() + "] " + text);
}

function sendToServer(msg) {
  var msgJSON = JSON.stringify(msg);
  log("Sending '" + msg.type + "' message: " + msgJSON);
  connection.send(msgJSON);
}

function setUsername() {
  myUsername = document.getElementById("name").value;
  sendToServer({ name: myUsername, date: Date.now(), id: clientID, type: "username" });
}

function connect() {
  var serverUrl = pageParams.get("signal");
  if (!serverUrl) {
    var scheme = document.location.protocol === "https:" ? "wss" : "ws";
    serverUrl = scheme + "://" + myHostname + ":6503";
  }
  log("Connecting to server: " + serverUrl);
  connection = new WebSocket(serverUrl, "json");

  connection.onopen = function () {
    document.getElementById("text").disabled = false;
    document.getElementById("send").disabled = false;
  };
  connection.onerror = function (evt) {
    console.dir(evt);
  };
  connection.onmessage = function (evt) {
    var chatBox = document.querySelector(".chatbox");
    var text = "";
    var msg = JSON.parse(evt.data);
    log("Message received: ");
    console.dir(msg);
    var time = new Date(msg.date);
    var timeStr = time.toLocaleTimeString();

    switch (msg.type) {
      case "id":
        clientID = msg.id;
        setUsername();
        break;
      case "username":
        text = "<b>User <em>" + msg.name + "</em> signed in at " + timeStr + "</b><br>";
        break;
      case "message":
        text = "(" + timeStr + ") <b>" + msg.name + "</b>: " + msg.text + "<br>";
        break;
      case "rejectusername":
        myUsername = msg.name;
        text = "<b>Your username has been set to <em>" + myUsername +
          "</em> because the name you chose is in use.</b><br>";
        break;
      case "userlist":
        handleUserlistMsg(msg);
        break;
      case "video-offer":
        handleVideoOfferMsg(msg);
        break;
      case "video-answer":
        handleVideoAnswerMsg(msg);
        break;
      case "new-ice-candidate":
        handleNewICECandidateMsg(msg);
        break;
      case "hang-up":
        handleHangUpMsg(msg);
        break;
      default:
        log_error("Unknown message received:");
        log_error(msg);
    }

    // Like the tutorial, this trusts the server to have stripped tags (its bug 9).
    if (text.length) {
      chatBox.innerHTML += text;
      chatBox.scrollTop = chatBox.scrollHeight - chatBox.clientHeight;
    }
  };
}

function handleSendButton() {
  var msg = { text: document.getElementById("text").value, type: "message", id: clientID, date: Date.now() };
  sendToServer(msg);
  document.getElementById("text").value = "";
}

function handleKey(evt) {
  if (evt.keyCode === 13 || evt.keyCode === 14) {
    if (!document.getElementById("send").disabled) {
      handleSendButton();
    }
  }
}

function iceServers() {
  var fromQuery = pageParams.get("ice");
  if (fromQuery) {
    return JSON.parse(fromQuery);
  }
  return [{ urls: "turn:" + myHostname, username: "webrtc", credential: "turnserver" }];
}

function createPeerConnection() {
  log("Setting up a connection...");
  myPeerConnection = new RTCPeerConnection({ iceServers: iceServers() });

  myPeerConnection.onicecandidate = handleICECandidateEvent;
  myPeerConnection.oniceconnectionstatechange = handleICEConnectionStateChangeEvent;
  myPeerConnection.onicegatheringstatechange = handleICEGatheringStateChangeEvent;
  myPeerConnection.onsignalingstatechange = handleSignalingStateChangeEvent;
  myPeerConnection.onnegotiationneeded = handleNegotiationNeededEvent;
  myPeerConnection.ontrack = handleTrackEvent;
}

async function handleNegotiationNeededEvent() {
  log("*** Negotiation needed");
  try {
    log("---> Creating offer");
    var offer = await myPeerConnection.createOffer();
    // The connection may have changed state while the offer was being made.
    if (myPeerConnection.signalingState != "stable") {
      log("     -- The connection isn't stable yet; postponing...");
      return;
    }
    log("---> Setting local description to the offer");
    await myPeerConnection.setLocalDescription(offer);
    log("---> Sending the offer to the remote peer");
    sendToServer({ name: myUsername, target: targetUsername, type: "video-offer", sdp: myPeerConnection.localDescription });
  } catch (err) {
    log("*** The following error occurred while handling the negotiationneeded event:");
    reportError(err);
  }
}

function handleICECandidateEvent(event) {
  if (event.candidate) {
    log("*** Outgoing ICE candidate: " + event.candidate.candidate);
    sendToServer({ type: "new-ice-candidate", target: targetUsername, candidate: event.candidate });
  }
}

function handleICEConnectionStateChangeEvent() {
  log("*** ICE connection state changed to " + myPeerConnection.iceConnectionState);
  switch (myPeerConnection.iceConnectionState) {
    case "closed":
    case "failed":
    case "disconnected":
      closeVideoCall();
      break;
  }
}

function handleSignalingStateChangeEvent() {
  log("*** WebRTC signaling state changed to: " + myPeerConnection.signalingState);
  switch (myPeerConnection.signalingState) {
    case "closed":
      closeVideoCall();
      break;
  }
}

function handleICEGatheringStateChangeEvent() {
  log("*** ICE gathering state changed to: " + myPeerConnection.iceGatheringState);
}

function handleTrackEvent(event) {
  log("*** Track event");
  document.getElementById("received_video").srcObject = event.streams[0];
  document.getElementById("hangup-button").disabled = false;
}

function handleRemoveTrackEvent(event) {
  var stream = document.getElementById("received_video").srcObject;
  var trackList = stream ? stream.getTracks() : [];
  if (trackList.length == 0) {
    closeVideoCall();
  }
}

function handleUserlistMsg(msg) {
  var listElem = document.querySelector(".userlistbox");
  while (listElem.firstChild) {
    listElem.removeChild(listElem.firstChild);
  }
  msg.users.forEach(function (username) {
    var item = document.createElement("li");
    item.appendChild(document.createTextNode(username));
    item.addEventListener("click", function (evt) { window.invite(evt); }, false);
    listElem.appendChild(item);
  });
}

function closeVideoCall() {
  var localVideo = document.getElementById("local_video");
  log("Closing the connection");
  if (myPeerConnection) {
    log("--> Closing the peer connection");
    myPeerConnection.ontrack = null;
    myPeerConnection.onicecandidate = null;
    myPeerConnection.oniceconnectionstatechange = null;
    myPeerConnection.onsignalingstatechange = null;
    myPeerConnection.onicegatheringstatechange = null;
    myPeerConnection.onnegotiationneeded = null;

    myPeerConnection.getTransceivers().forEach(function (t) {
      t.stop();
    });
    if (localVideo.srcObject) {
      localVideo.pause();
      localVideo.srcObject.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    myPeerConnection.close();
    myPeerConnection = null;
    webcamStream = null;
  }
  document.getElementById("hangup-button").disabled = true;
  targetUsername = null;
}

function handleHangUpMsg(msg) {
  log("*** Received hang up notification from other peer");
  closeVideoCall();
}

function hangUpCall() {
  closeVideoCall();
  // The tutorial's order: the target is already cleared here, so this goes out with
  // target null (its bug 1). Kept as in the tutorial; our relay routes it to the peer only.
  sendToServer({ name: myUsername, target: targetUsername, type: "hang-up" });
}

async function invite(evt) {
  log("Starting to prepare an invitation");
  if (myPeerConnection) {
    alert("You can't start a call because you already have one open!");
  } else {
    var clickedUsername = evt.target.textContent;
    if (clickedUsername === myUsername) {
      alert("I'm afraid I can't let you talk to yourself. That would be weird.");
      return;
    }
    targetUsername = clickedUsername;
    log("Inviting user " + targetUsername);
    log("Setting up connection to invite user: " + targetUsername);
    createPeerConnection();
    try {
      webcamStream = await navigator.mediaDevices.getUserMedia(mediaConstraints);
      document.getElementById("local_video").srcObject = webcamStream;
    } catch (err) {
      handleGetUserMediaError(err);
      return;
    }
    try {
      webcamStream.getTracks().forEach(function (track) {
        transceiver = myPeerConnection.addTransceiver(track, { streams: [webcamStream] });
      });
    } catch (err) {
      handleGetUserMediaError(err);
    }
  }
}

async function handleVideoOfferMsg(msg) {
  targetUsername = msg.name;
  log("Received invitation from " + targetUsername);
  if (!myPeerConnection) {
    createPeerConnection();
  }
  var desc = new RTCSessionDescription(msg.sdp);
  if (myPeerConnection.signalingState != "stable") {
    log("  - But the signaling state isn't stable, so triggering rollback");
    await Promise.all([
      myPeerConnection.setLocalDescription({ type: "rollback" }),
      myPeerConnection.setRemoteDescription(desc),
    ]);
    return;
  } else {
    log("  - Setting remote description");
    await myPeerConnection.setRemoteDescription(desc);
  }
  if (!webcamStream) {
    try {
      webcamStream = await navigator.mediaDevices.getUserMedia(mediaConstraints);
    } catch (err) {
      handleGetUserMediaError(err);
      return;
    }
    document.getElementById("local_video").srcObject = webcamStream;
    try {
      webcamStream.getTracks().forEach(function (track) {
        transceiver = myPeerConnection.addTransceiver(track, { streams: [webcamStream] });
      });
    } catch (err) {
      handleGetUserMediaError(err);
    }
  }
  log("---> Creating and sending answer to caller");
  await myPeerConnection.setLocalDescription(await myPeerConnection.createAnswer());
  sendToServer({ name: myUsername, target: targetUsername, type: "video-answer", sdp: myPeerConnection.localDescription });
}

async function handleVideoAnswerMsg(msg) {
  log("*** Call recipient has accepted our call");
  var desc = new RTCSessionDescription(msg.sdp);
  await myPeerConnection.setRemoteDescription(desc).catch(reportError);
}

async function handleNewICECandidateMsg(msg) {
  var candidate = new RTCIceCandidate(msg.candidate);
  log("*** Adding received ICE candidate: " + JSON.stringify(candidate));
  try {
    await myPeerConnection.addIceCandidate(candidate);
  } catch (err) {
    reportError(err);
  }
}

function handleGetUserMediaError(e) {
  log_error(e);
  switch (e.name) {
    case "NotFoundError":
      alert("Unable to open your call because no camera and/or microphone were found.");
      break;
    case "SecurityError":
    case "PermissionDeniedError":
      // Do nothing; this is the same as the user canceling the call.
      break;
    default:
      alert("Error opening your camera and/or microphone: " + e.message);
      break;
  }
  closeVideoCall();
}

function reportError(errMessage) {
  log_error("Error " + errMessage.name + ": " + errMessage.message);
}
