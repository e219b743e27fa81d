// Official WeCom callback test vectors (platform.md §3.3, §3.8; R-WWPY), shared by the bot's tests.

export const VECTOR_TOKEN = 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo'
export const VECTOR_AES_KEY = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt'
export const VECTOR_CORP_ID = 'ww1436e0e65a779aee'

export const URL_VERIFY = {
  msgSignature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
  timestamp: '1476416373',
  nonce: '47744683',
  echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
  plaintext: '1288432023552776189',
  random: '8908d0ff052afda0',
}

export const NURSE_TEXT_XML =
  '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>' +
  '<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>' +
  '<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>'

export const XML_MESSAGE = {
  msgSignature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
  timestamp: '1476422779',
  nonce: '1597212914',
  encrypt:
    'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew' +
    '+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24Yhm' +
    'ZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwo' +
    'cugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
  plaintext: NURSE_TEXT_XML,
  random: '694ce5a83ae07fe3',
}

export const JSON_MESSAGE = {
  msgSignature: 'e3647471e395139e2308c1fa963f2d648a00b90e',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt:
    'cjhLUX7UU4yCSelv1vz7T0zT8huF51bAMVWriNvO1FMegHrQZNrtvRxbwf0fUPsFvwqR0U0fgiJNEA5Y30F2MoI2S7vv3EjVQ68C0cjw9frB' +
    'oUE2Hj0BvFp9h3u6Vbsg4lc1C8AtHdaN8orKuNKkLRLuYEL52R1J3v8olJGZRLnRdVKIivixmX/eQpzgeExtp20jI1HxRP1AAZ6xZoILdqDP' +
    'O549LO4WeG+685JRUTdiwcY5fjZlqeMxuT4PpMn1X9OWsS7NRj06Wa5E3Tvg4twjWp39KPfOdRte6P1T4JU=',
  receiveId: 'ww1436e0e65a779aee',
  // Invalid JSON in the official sample (`"FromUserName": :mycreate"`): compare as a string.
  plaintext:
    '{ "ToUserName": "wx5823bf96d3bd56c7", "FromUserName": :mycreate", "CreateTime": 1409659813, ' +
    '"MsgType": "text", "Content": "hello", "MsgId": 4561255354251345929, "AgentID": 218}',
  random: 'dDVXRx6kn1gOT43Q',
}
