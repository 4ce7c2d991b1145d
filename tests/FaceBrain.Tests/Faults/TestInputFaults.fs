/// Hostile inputs × every verb that reads them: exit 2, one line naming the file, nothing written.
module FaceBrain.Tests.Faults.TestInputFaults

open System.IO
open Expecto
open FaceBrain.Tests.Faults.FaultSupport
open FaceBrain.Tests.Faults.HostileFiles

let private rows, cols = 12, 5

/// A good stimulus table for `rows` rows (identity and expression columns).
let private goodTable (d: string) =
    textAt (Path.Combine(d, "stimuli.tsv"))
        ("stimulus_id\tidentity\texpression\n" + System.String.Join("", [ for i in 0 .. rows - 1 -> let e = (if i % 2 = 0 then "HA" else "SA") in $"s{i}\tid{i % 3}\t{e}\n" ]))

let private goodNpy (d: string) name r c = bytesAt (Path.Combine(d, name)) (npyMatrix r c)

/// The verbs that read a feature or response matrix, each given the hostile file's path.
let private npyReaders : (string * (string -> string -> string list)) list =
    [ "decode", fun d f -> [ "decode"; "--features"; f; "--stimuli"; goodTable d; "--target"; "identity"; "--cv"; "stratkfold:2" ]
      "rsa", fun d f -> [ "rsa"; "--features"; f; "--stimuli"; goodTable d; "--models"; "identity" ]
      "rsa-model-rdm", fun d f -> [ "rsa"; "--features"; goodNpy d "x.npy" rows cols; "--stimuli"; goodTable d; "--model-rdm"; "m=" + f ]
      "rsa-cka-with", fun d f -> [ "rsa"; "--features"; goodNpy d "x.npy" rows cols; "--stimuli"; goodTable d; "--models"; "identity"; "--cka-with"; f ]
      "encode-features", fun d f -> [ "encode"; "--features"; f; "--responses"; goodNpy d "r.npy" rows 3; "--cv"; "kfold:2"; "--alpha"; "1" ]
      "encode-responses", fun d f -> [ "encode"; "--features"; goodNpy d "x.npy" rows cols; "--responses"; f; "--cv"; "kfold:2"; "--alpha"; "1" ]
      "models-forward", fun d f -> [ "models"; "forward"; "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--input"; f; "--layer"; "avgpool"; "--out"; Path.Combine(d, "y.npy") ] ]

let private npyCases =
    [ for (fault, bytes, fragment) in npyFaults rows cols do
        for (verb, args) in npyReaders do
            case $"npy {fault} -> {verb}" 2 (fun _ -> [ "hostile.npy"; fragment ]) (fun d ->
                args d (bytesAt (Path.Combine(d, "hostile.npy")) bytes)) ]

let private tableCases =
    [ for (fault, text, fragment) in tableFaults rows do
        for verb, args in
            [ "decode", fun (d: string) t -> [ "decode"; "--features"; goodNpy d "x.npy" rows cols; "--stimuli"; t; "--target"; "identity"; "--cv"; "stratkfold:2" ]
              "rsa", fun d t -> [ "rsa"; "--features"; goodNpy d "x.npy" rows cols; "--stimuli"; t; "--models"; "identity" ] ] do
            case $"table {fault} -> {verb}" 2 (fun _ -> [ "hostile.tsv"; fragment ]) (fun d ->
                args d (textAt (Path.Combine(d, "hostile.tsv")) text)) ]

/// The verbs that read a store; outputs they would write must not appear.
let private storeReaders : (string * (string -> string -> string list)) list =
    [ "analyse", fun d s -> [ "analyse"; "--store"; s; "--targets"; "identity"; "--permutations"; "0"; "--out"; Path.Combine(d, "analysis") ]
      "decode", fun _ s -> [ "decode"; "--store"; s; "--layer"; "a"; "--target"; "identity"; "--cv"; "stratkfold:2" ]
      "rsa", fun _ s -> [ "rsa"; "--store"; s; "--layer"; "a"; "--models"; "identity" ]
      "fmri-simulate", fun d s -> [ "fmri"; "simulate"; "--store"; s; "--rois"; "r:a"; "--voxels"; "3"; "--no-nifti"; "--out"; Path.Combine(d, "sim") ]
      "encode", fun d s -> [ "encode"; "--store"; s; "--layer"; "a"; "--responses"; goodNpy d "r.npy" rows 3; "--cv"; "kfold:2"; "--alpha"; "1" ] ]

let private storeCases =
    [ for (fault, breakIt, fragment) in storeFaults do
        for (verb, args) in storeReaders do
            case $"store {fault} -> {verb}" 2 (fun d -> [ fragment ]) (fun d ->
                let s = Path.Combine(d, "store")
                goodStore s rows cols
                breakIt s
                args d s) ]

let private tinyNet = [ "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--device"; "cpu"; "--batch"; "4" ]

/// Three good images and one hostile one in a plain folder.
let private imageFolder (d: string) (name: string) (bytes: byte[]) =
    let dir = Path.Combine(d, "imgs")
    for i in 0 .. 2 do
        FaceBrain.Tests.Data.DataFixtures.writePng (Path.Combine(dir, $"good{i}.png"))
            (FaceBrain.Tests.Data.DataFixtures.image 40 40 (FaceBrain.Tests.Data.DataFixtures.noise i)) |> ignore
    bytesAt (Path.Combine(dir, name)) bytes |> ignore
    dir

let private imageCases =
    [ for (name, fragment, make) in imageFaults do
        yield case $"image {name} -> extract" 2 (fun _ -> [ name; fragment ]) (fun d ->
            [ "extract"; "--data"; "images:" + imageFolder d name (make ()); "--weights"; "random"; "--layers"; "avgpool"; "--out"; Path.Combine(d, "store") ] @ tinyNet)
        // --skip-bad: exit 0, the store holds the three good images and lists the bad one; nothing else is left.
        yield { case $"image {name} -> extract --skip-bad" 0 (fun _ -> []) (fun d ->
                    [ "extract"; "--data"; "images:" + imageFolder d name (make ()); "--weights"; "random"; "--layers"; "avgpool"; "--skip-bad"; "--out"; Path.Combine(d, "store") ] @ tinyNet)
                  with Created = [ "store"; "store/layers"; "store/layers/avgpool.npy"; "store/manifest.json"; "store/stimuli.tsv" ] }
        yield { case $"image {name} -> extract --skip-bad --cache" 0 (fun _ -> []) (fun d ->
                    Directory.CreateDirectory(Path.Combine(d, "cache")) |> ignore
                    [ "extract"; "--data"; "images:" + imageFolder d name (make ()); "--weights"; "random"; "--layers"; "avgpool"; "--skip-bad"; "--cache"; Path.Combine(d, "cache"); "--out"; Path.Combine(d, "store") ] @ tinyNet)
                  with Created = [ "store"; "store/layers"; "store/layers/avgpool.npy"; "store/manifest.json"; "store/stimuli.tsv"; "cache/*.fbcache" ] } ]

let private goodImages (d: string) = imageFolder d "good3.png" (File.ReadAllBytes(FaceBrain.Tests.Data.DataFixtures.writePng (Path.Combine(d, "seed.png")) (FaceBrain.Tests.Data.DataFixtures.image 40 40 (FaceBrain.Tests.Data.DataFixtures.noise 9))))

let private weightCases =
    [ for (name, bytes, fragment) in weightFaults do
        yield case $"weights {name} -> extract" 2 (fun _ -> [ name; fragment ]) (fun d ->
            let imgs = goodImages d
            [ "extract"; "--data"; "images:" + imgs; "--weights"; bytesAt (Path.Combine(d, name)) bytes; "--layers"; "avgpool"; "--out"; Path.Combine(d, "store") ] @ tinyNet)
        yield case $"weights {name} -> models forward" 2 (fun _ -> [ name; fragment ]) (fun d ->
            [ "models"; "forward"; "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--weights"; bytesAt (Path.Combine(d, name)) bytes
              "--input"; bytesAt (Path.Combine(d, "x.npy")) (npyImages 1 32); "--layer"; "avgpool"; "--out"; Path.Combine(d, "y.npy") ]) ]

let private checkpointCases =
    [ for (name, bytes, fragment) in checkpointFaults @ [ "truncated-zip.ckpt", truncated (let (_, b, _) = checkpointFaults[5] in b), "not a FaceBrain checkpoint" ] do
        yield case $"checkpoint {name} -> extract --backbone" 2 (fun _ -> [ name; fragment ]) (fun d ->
            [ "extract"; "--data"; "images:" + goodImages d; "--backbone"; bytesAt (Path.Combine(d, name)) bytes; "--layers"; "avgpool"; "--device"; "cpu"; "--out"; Path.Combine(d, "store") ])
        yield case $"checkpoint {name} -> extract --weights" 2 (fun _ -> [ name; fragment ]) (fun d ->
            [ "extract"; "--data"; "images:" + goodImages d; "--weights"; bytesAt (Path.Combine(d, name)) bytes; "--layers"; "avgpool"; "--device"; "cpu"; "--out"; Path.Combine(d, "store") ])
        yield case $"checkpoint {name} -> models forward --backbone" 2 (fun _ -> [ name; fragment ]) (fun d ->
            [ "models"; "forward"; "--backbone"; bytesAt (Path.Combine(d, name)) bytes; "--input"; bytesAt (Path.Combine(d, "x.npy")) (npyImages 1 32); "--layer"; "avgpool"; "--out"; Path.Combine(d, "y.npy") ]) ]

let private niftiCases =
    [ for (name, make, fragment) in niftiFaults do
        yield case $"nifti {name} -> fmri roi --bold" 2 (fun _ -> [ name; fragment ]) (fun d ->
            [ "fmri"; "roi"; "--bold"; bytesAt (Path.Combine(d, name)) (make ()); "--mask"; bytesAt (Path.Combine(d, "mask.nii")) (niftiOf 1 [| 3; 3; 3 |]); "--out"; Path.Combine(d, "r.npy") ])
        yield case $"nifti {name} -> fmri roi --mask" 2 (fun _ -> [ name; fragment ]) (fun d ->
            [ "fmri"; "roi"; "--bold"; bytesAt (Path.Combine(d, "bold.nii")) (niftiOf 1 [| 3; 3; 3; 4 |]); "--mask"; bytesAt (Path.Combine(d, name)) (make ()); "--out"; Path.Combine(d, "r.npy") ]) ]

/// Every input-fault case, for the count in docs/reliability.md.
let cases = npyCases @ tableCases @ storeCases @ imageCases @ weightCases @ checkpointCases @ niftiCases

[<Tests>]
let tests = toTests "Faults.Inputs" cases
