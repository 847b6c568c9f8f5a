-- What the hub may ask the Docker engine to create: a confined container of an
-- allowed image on the users' network, with named volumes only. A refusal sets
-- txn.denied to the reason, which the proxy returns with HTTP 403.
--
-- Settings (environment, from the same .env as the hub):
--   ALLOWED_IMAGES / SINGLEUSER_IMAGE  the images users may run
--   USER_NETWORK                       the network user containers join

local json = require("cjson.safe")

local DEFAULT_IMAGE = "jupyterhub-stack/singleuser:latest" -- as in hub/stack/settings.py

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- "Display name=image,image2" -> set of images, as the hub reads ALLOWED_IMAGES.
local function allowed_images()
  local images = {}
  local listed = os.getenv("ALLOWED_IMAGES") or ""
  for entry in listed:gmatch("[^,]+") do
    local image = trim(entry:match("([^=]*)$"))
    if image ~= "" then images[image] = true end
  end
  if next(images) == nil then
    local single = trim(os.getenv("SINGLEUSER_IMAGE") or "")
    images[single ~= "" and single or DEFAULT_IMAGE] = true
  end
  return images
end

local IMAGES = allowed_images()
local NETWORK = os.getenv("USER_NETWORK") or ""

local function nonempty(v)
  return type(v) == "table" and next(v) ~= nil
end

local function set(v)
  return type(v) == "string" and v ~= ""
end

local function contains(list, wanted)
  if type(list) ~= "table" then return false end
  for _, v in ipairs(list) do
    if v == wanted then return true end
  end
  return false
end

-- Returns nil when the container may be created, else why not.
function check_create(spec)
  if type(spec) ~= "table" then return "the request body is not a JSON object" end
  if not IMAGES[spec.Image] then return "image " .. tostring(spec.Image) .. " is not allowed" end
  if spec.User ~= nil and spec.User ~= json.null and spec.User ~= "" then
    return "setting the user is not allowed (images run as their own non-root user)"
  end
  local host = spec.HostConfig
  if type(host) ~= "table" then return "HostConfig is missing" end
  if host.Privileged == true then return "privileged mode is not allowed" end
  if host.NetworkMode ~= NETWORK then return "network mode " .. tostring(host.NetworkMode) .. " is not allowed" end
  for _, mode in ipairs({ "PidMode", "IpcMode", "UTSMode", "UsernsMode", "CgroupnsMode" }) do
    if set(host[mode]) and not (mode == "IpcMode" and host[mode] == "private") then
      return mode .. " " .. host[mode] .. " is not allowed"
    end
  end
  for _, key in ipairs({ "CapAdd", "Devices", "DeviceRequests", "DeviceCgroupRules", "VolumesFrom", "Sysctls", "Links" }) do
    if nonempty(host[key]) then return key .. " is not allowed" end
  end
  if not contains(host.CapDrop, "ALL") then return "CapDrop must be ALL" end
  if not (contains(host.SecurityOpt, "no-new-privileges:true") or contains(host.SecurityOpt, "no-new-privileges")) then
    return "SecurityOpt must include no-new-privileges"
  end
  if type(host.SecurityOpt) == "table" then
    for _, opt in ipairs(host.SecurityOpt) do
      if opt:find("unconfined", 1, true) then return "SecurityOpt " .. opt .. " is not allowed" end
    end
  end
  if type(host.Binds) == "table" then
    for _, bind in ipairs(host.Binds) do
      if bind:sub(1, 1) == "/" or bind:sub(1, 1) == "." then
        return "bind mount of host path " .. bind .. " is not allowed"
      end
    end
  end
  if type(host.Mounts) == "table" then
    for _, mount in ipairs(host.Mounts) do
      if mount.Type ~= "volume" then return "mount of type " .. tostring(mount.Type) .. " is not allowed" end
    end
  end
  return nil
end

core.register_action("container_create_policy", { "http-req" }, function(txn)
  local spec = json.decode(txn.f:req_body() or "")
  local reason = check_create(spec)
  if reason then
    txn:set_var("txn.denied", reason)
    core.Warning("socket proxy denied a container create: " .. reason)
  end
end)

core.register_action("image_pull_policy", { "http-req" }, function(txn)
  local image = txn.c:url_dec(txn.f:url_param("fromImage") or "")
  local tag = txn.c:url_dec(txn.f:url_param("tag") or "")
  local ref = (tag ~= "" and not image:find("[:@]")) and (image .. ":" .. tag) or image
  if not IMAGES[ref] then
    txn:set_var("txn.denied", "pulling " .. ref .. " is not allowed")
  end
end)
